#pragma once
// Plain request/reply values: the handlers never see Beast, so they compile
// fast and the server stays the only file with socket code.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yxgate::emulator {

class Held;  // holds.hpp

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path?query as received
  HeaderList headers;  // names as received
  std::string body{};

  // Case-insensitive; empty when absent.
  std::string_view header(std::string_view name) const;
};

// What the server does with a request once it has been handled.
enum class Action {
  kRespond,      // send status + body
  kClose,        // close the connection without answering (fault "close")
  kHang,         // never answer; hold the connection (fault "hang")
  kHoldThenRun,  // hold (phase "before"), then Emulator::run_released
  kWaitHeld,     // GET /_emulator/held: long-poll until enough are held
};

struct Reply {
  int status = 200;
  std::string body{};
  Action action = Action::kRespond;
  std::chrono::milliseconds delay{0};  // wait this long (on a timer) before acting
  std::string content_type{};          // empty: application/json;charset=utf-8
  bool chunked = false;                // Transfer-Encoding: chunked (fault or --chunked)
  bool bloated = false;                // chunked with 1 MiB of extension and trailer (fault)
  bool foreign_fields = false;         // X-Yxgate-* fields in the answer (fault)
  bool close = false;                  // Connection: close, then close (fault connection_close)
  std::string_view prelude{};          // written first: 1xx replies (faults interim, switching)
  bool compressible = false;           // an API answer: gzip applies when enabled and accepted
  std::shared_ptr<Held> hold{};        // answer (or run, kHoldThenRun) only once released
  std::size_t wait_for = 0;            // kWaitHeld: this many held requests
  std::chrono::milliseconds wait_timeout{0};  // kWaitHeld: or this long
};

}  // namespace yxgate::emulator
