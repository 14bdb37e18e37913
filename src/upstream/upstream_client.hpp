#pragma once
// Pooled keep-alive HTTP/1.1 client to the vendor (SPEC §1, §7 `upstream`).
// One instance per worker io_context; not thread-safe by design (each worker
// owns its pool, so the hot path takes no lock).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "config/upstream_url.hpp"
#include "upstream/upstream_request.hpp"

namespace yxgate::upstream {

namespace http = boost::beast::http;
using Response = http::response<http::string_body>;

enum class Failure {
  kNone,
  kConnect,   // refused, unreachable, DNS, TLS handshake: nothing was sent
  kTimeout,   // connect or total timeout
  kProtocol,  // connection lost after sending, or an unparsable reply
};

struct Outcome {
  Response response;
  Failure failure = Failure::kNone;
  std::string detail;  // for logs; never contains request data
  bool used_backup = false;
  // The whole request was written on some connection: upstream may have acted
  // on it even if no answer came back (SPEC §11.4).
  bool sent = false;
  int attempts = 0;  // requests written or tried on a connection (a retry counts)
};

// Builds the TLS context shared by all workers: system trust store, TLS 1.2+.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(bool verify_peer);

class UpstreamClient {
 public:
  UpstreamClient(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls,
                 const config::UpstreamConfig& config, std::size_t max_connections);
  ~UpstreamClient();
  UpstreamClient(const UpstreamClient&) = delete;
  UpstreamClient& operator=(const UpstreamClient&) = delete;

  // Sends `request` (target and fields already final; Content-Length and
  // Host are added here).
  // Never re-sends a POST/PATCH once its bytes may have left. `timeout`
  // (0: upstream.timeout) bounds the whole exchange.
  boost::asio::awaitable<Outcome> send(
      Request request, std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

 private:
  class Pool;
  struct Lease;
  // acquire()'s usual case, with no coroutine frame: nobody waits and the
  // pool acquire() tries first has a live idle connection. No connection
  // otherwise (stale ones it met are closed, as acquire() would). `probe`:
  // check an idle connection for a close by upstream before reusing it (a
  // syscall; skipped where a dead one costs only a retry).
  Lease take_idle_lease(bool probe);
  boost::asio::awaitable<Lease> acquire(std::chrono::steady_clock::time_point deadline, bool probe);
  boost::asio::awaitable<Lease> acquire_from(Pool& pool,
                                             std::chrono::steady_clock::time_point deadline,
                                             bool probe);
  boost::asio::awaitable<bool> wait_for_slot(std::chrono::steady_clock::time_point deadline);
  void release_slot();
  void wake_one();

  boost::asio::any_io_executor executor_;
  boost::asio::ssl::context* tls_ = nullptr;
  config::UpstreamConfig config_;
  std::unique_ptr<Pool> primary_;
  std::unique_ptr<Pool> backup_;
  std::size_t max_connections_;
  std::size_t open_connections_ = 0;
  struct Waiters;
  std::unique_ptr<Waiters> waiters_;
  std::chrono::steady_clock::time_point primary_down_until_{};
};

}  // namespace yxgate::upstream
