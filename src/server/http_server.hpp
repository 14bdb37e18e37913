#pragma once
// An HTTP/1.1 listener and its sessions (shape of Beast's awaitable server:
// the session coroutine's frame owns the stream and buffer). Requests are
// handed to a RequestHandler that knows nothing about sockets.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "server/http_types.hpp"
#include "server/server_state.hpp"
#include "server/worker_pool.hpp"

namespace yxgate::server {

struct ClientInfo {
  ClientInfo(boost::asio::ip::address peer, std::size_t worker_index)
      : address(peer), address_text(peer.to_string()), worker(worker_index) {}
  boost::asio::ip::address address;
  std::string address_text;  // formatted once per connection, not per request
  std::size_t worker = 0;    // index of the worker running this connection
};

class RequestHandler {
 public:
  // What a handler keeps for one connection from request to request (its
  // per-request record, whose buffers then keep their capacity). Made once
  // per connection by new_scratch(); the session passes it to both calls.
  struct Scratch {
    virtual ~Scratch() = default;
  };

  virtual ~RequestHandler() = default;
  virtual std::unique_ptr<Scratch> new_scratch() { return nullptr; }
  // Called first for every request: answers it when no waiting is needed
  // (a refusal, an in-process cache hit), without a coroutine. False: what
  // it decided is in `scratch` and handle_rest() goes on from there.
  virtual bool answer_now(HttpRequest& /*request*/, const ClientInfo& /*client*/,
                          Scratch* /*scratch*/, HttpResponse& /*response*/) {
    return false;
  }
  // A request the front door refused before any handler saw it (framing,
  // limits, timeout, method): `partial` holds what was read of it (the method
  // is `unknown` and the target empty before the request line was whole).
  // For the access log and metrics (SPEC §8, §10); `response` is final.
  virtual void refused(const HttpRequest& /*partial*/, const ClientInfo& /*client*/,
                       const HttpResponse& /*response*/) {}
  // Only after answer_now() returned false for this request.
  virtual boost::asio::awaitable<HttpResponse> handle_rest(HttpRequest& request,
                                                           const ClientInfo& client,
                                                           Scratch* scratch) = 0;
  // One whole request, answer_now() then handle_rest() with a scratch of
  // its own (callers outside a session: tests, tools).
  boost::asio::awaitable<HttpResponse> handle(HttpRequest& request, const ClientInfo& client);
};

struct ListenerOptions {
  std::string name;  // for logs: "data" or "admin"
  std::uint64_t max_body_bytes = 1048576;
  std::uint32_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds request_timeout{10'000};
  std::uint64_t max_connections = 10000;
  // The data plane closes idle keep-alive connections when a drain starts;
  // the admin listener keeps answering (/readyz says 503 until exit).
  bool close_idle_on_drain = true;
  std::atomic<std::int64_t>* inflight = nullptr;  // counted when set
};

class HttpServer {
 public:
  // Binds at once: throws std::system_error when the address is unusable.
  HttpServer(WorkerPool& pool, const boost::asio::ip::tcp::endpoint& endpoint,
             RequestHandler& handler, ListenerOptions options, ServerState& state);
  ~HttpServer();

  void start();
  // Thread-safe. Stops accepting and closes keep-alive connections that
  // wait for their next request; requests in flight finish (SPEC §1).
  void stop_accepting();
  std::uint16_t port() const;
  std::int64_t active_requests() const;
  std::int64_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses "host:port" (IPv4, [IPv6] or a name resolving to an address).
boost::asio::ip::tcp::endpoint parse_endpoint(const std::string& host_port);

}  // namespace yxgate::server
