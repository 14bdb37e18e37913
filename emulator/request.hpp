#pragma once
// Plain request/reply values: the handlers never see Beast, so they compile
// fast and the server stays the only file with socket code.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yxgate::emulator {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path?query as received
  HeaderList headers;  // names as received
  std::string body;

  // Case-insensitive; empty when absent.
  std::string_view header(std::string_view name) const;
};

// What the server does with a request once it has been handled.
enum class Action {
  kRespond,  // send status + body
  kClose,    // close the connection without answering (fault "close")
  kHang,     // never answer; hold the connection (fault "hang")
};

struct Reply {
  int status = 200;
  std::string body;
  Action action = Action::kRespond;
  std::chrono::milliseconds delay{0};  // wait this long (on a timer) before acting
};

}  // namespace yxgate::emulator
