#include "server/http_server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "server/http_head.hpp"
#include "server/io_deadline.hpp"
#include "server/request_parser.hpp"
#include "signing/signer.hpp"
#include "yunxin/codes.hpp"

namespace yxgate::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using asio::awaitable;

namespace {
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::size_t kMaxLingerBytes = 4 * 1024 * 1024;
// Like nginx's default of 100 header lines: plenty for an SDK, few for a flood.
constexpr std::ptrdiff_t kMaxHeaderFields = 100;

// What a connection's read buffer may hold beyond the header limit. Body
// bytes pass through it as they come, but Beast keeps a chunk's size line
// (with its extensions) and the whole trailer section in it until their
// ends arrive, and neither header_limit nor body_limit counts them: without
// a bound one request could hold gigabytes (audit 13). Past it the read
// fails with buffer_overflow: 400 and a close.
constexpr std::size_t kReadAheadBytes = 64 * 1024;

// Parses what the buffer already holds without another trip through the
// event loop (the usual case: a whole request arrived in one read). Leaves
// `ec` clear when the parser simply needs more bytes.
void parse_buffered(http::basic_parser<true>& parser, beast::flat_buffer& buffer,
                    beast::error_code& ec) {
  while (!parser.is_done() && buffer.size() > 0) {
    const auto used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == http::error::need_more) {
      ec = {};
      return;
    }
    if (ec || used == 0) return;
  }
}

// What the header alone makes us refuse, and why (SPEC §11.1, §5).
struct Refusal {
  http::status status = http::status::bad_request;
  std::string_view why;
};

// The answer to a request that could not be read (one place, so that the
// reading coroutine's frame holds one response, not one per error).
HttpResponse read_error_response(const beast::error_code& ec, const Refusal& refusal,
                                 unsigned version) {
  if (refusal.status == http::status::not_implemented) {
    return make_error_response(http::status::not_implemented, 501,
                               "method not implemented: methods are upper-case HTTP methods",
                               "not_implemented", version);
  }
  if (!refusal.why.empty()) {
    return make_error_response(http::status::bad_request, 400,
                               "malformed HTTP request: " + std::string(refusal.why),
                               "bad_request");
  }
  if (ec == http::error::body_limit) {
    return make_error_response(http::status::payload_too_large, yunxin::kParameterError,
                               "request body too large", "body_too_large", version);
  }
  if (ec == http::error::header_limit) {
    return make_error_response(http::status::request_header_fields_too_large, 431,
                               "request headers too large", "headers_too_large");
  }
  if (ec == http::error::buffer_overflow) {
    return make_error_response(
        http::status::bad_request, 400,
        "malformed HTTP request: chunk extension or trailer section too large", "bad_request");
  }
  if (ec == beast::error::timeout) {
    return make_error_response(http::status::request_timeout, 408, "request not received in time",
                               "request_timeout", version);
  }
  return make_error_response(http::status::bad_request, 400,
                             "malformed HTTP request: " + ec.message(), "bad_request");
}

// SPEC §2: the trace id comes back on every response, a refusal included:
// the client's, when its field was read before the refusal, else a new one.
void stamp_trace_id(const HttpRequest& partial, HttpResponse& response) {
  const auto it = partial.find(signing::kTraceHeader);
  if (it != partial.end() && !it->value().empty()) {
    response.set(signing::kTraceHeader, it->value());
  } else {
    response.set(signing::kTraceHeader, signing::make_trace_id());
  }
}

// Refusals decided once the header is in, before any body byte is read.
beast::error_code check_head(RequestParser& parser, std::uint64_t max_body_bytes,
                             Refusal& refusal) {
  const auto& request = parser.get();
  if (std::distance(request.begin(), request.end()) > kMaxHeaderFields) {
    return http::error::header_limit;
  }
  const auto framing = check_framing(parser);
  if (!framing.ok()) {
    refusal.why = framing.refusal;
    return http::error::bad_value;
  }
  if (framing.content_length > max_body_bytes) return http::error::body_limit;
  // RFC 9110 §9.3.8: a client MUST NOT send content in a TRACE request.
  if (request.method() == http::verb::trace &&
      (framing.framing == frontdoor::BodyFraming::kChunked || framing.content_length > 0)) {
    refusal.why = "TRACE request with content";
    return http::error::bad_value;
  }
  if (!frontdoor::is_known_method(request.method_string())) {
    refusal.status = http::status::not_implemented;
    return http::error::bad_method;
  }
  // Not a tunnel: refused, and the connection closed, so that the bytes a
  // client sends for the tunnel it expected are never read as requests.
  if (request.method() == http::verb::connect) {
    refusal.why = "CONNECT is not served (yxgate is not a tunnel)";
    return http::error::bad_method;
  }
  return {};
}

}  // namespace

struct HttpServer::Impl {
  WorkerPool& pool;
  tcp::acceptor acceptor;
  RequestHandler& handler;
  ListenerOptions options;
  ServerState& state;
  std::atomic<std::int64_t> active_requests{0};
  std::atomic<std::int64_t> connections{0};
  std::atomic<bool> stopping{false};
  std::uint16_t port = 0;
  // Per worker, every open stream and whether it is waiting for its next
  // request (the ones a drain closes at once); only touched on that
  // worker's thread. Registered per connection, not per request.
  std::vector<std::unordered_map<tcp::socket*, bool>> idle;

  Impl(WorkerPool& p, const tcp::endpoint& ep, RequestHandler& h, ListenerOptions o, ServerState& s)
      : pool(p),
        acceptor(p.context(0)),
        handler(h),
        options(std::move(o)),
        state(s),
        idle(p.size()) {
    // A startup failure: it names the listener and address, not Asio's
    // source location.
    beast::error_code ec;
    const auto fail = [&](std::string_view what) {
      throw std::runtime_error(options.name + " listener " + ep.address().to_string() + ":" +
                               std::to_string(ep.port()) + ": " + std::string(what) + ": " +
                               ec.message());
    };
    acceptor.open(ep.protocol(), ec);
    if (ec) fail("socket");
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) fail("SO_REUSEADDR");
    acceptor.bind(ep, ec);
    if (ec) fail("bind");
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail("listen");
    port = acceptor.local_endpoint().port();
  }

  awaitable<void> accept_loop();
  awaitable<void> session(tcp::socket socket, std::size_t worker);
  bool take_whole_request(beast::flat_buffer& buffer, std::optional<RequestParser>& parser_slot,
                          HttpRequest& request, beast::error_code& hec);
  awaitable<bool> finish_request(tcp::socket& socket, IoDeadline& io_deadline,
                                 beast::flat_buffer& buffer, RequestParser& parser,
                                 HttpRequest& request, RequestDeadline& deadline,
                                 beast::error_code hec, const ClientInfo& client);
  awaitable<void> reply_and_close(tcp::socket& socket, IoDeadline& io_deadline,
                                  HttpResponse response, bool head);
};

awaitable<void> HttpServer::Impl::accept_loop() {
  asio::steady_timer backoff(pool.context(0));
  while (!stopping) {
    const auto worker = pool.next_index();
    auto [ec, socket] = co_await acceptor.async_accept(pool.context(worker), kAwait);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      // EMFILE and friends: back off instead of spinning on the error.
      spdlog::warn("\"event\":\"accept_error\",\"listener\":\"{}\",\"error\":\"{}\"", options.name,
                   ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kAwait);
      continue;
    }
    if (connections.load() >= static_cast<std::int64_t>(options.max_connections)) {
      beast::error_code ignored;
      socket.close(ignored);  // SPEC §7: accepted beyond the limit are closed at once
      continue;
    }
    ++connections;
    asio::co_spawn(pool.context(worker), session(std::move(socket), worker), asio::detached);
  }
}

awaitable<void> HttpServer::Impl::reply_and_close(tcp::socket& socket, IoDeadline& io_deadline,
                                                  HttpResponse response, bool head) {
  response.keep_alive(false);
  io_deadline.expires_after(std::chrono::seconds(5));
  std::string text;
  write_head(response, text);
  if (!head) text += response.body();  // SPEC §11.1: never a body after HEAD
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(text), kAwait);
  if (ec) co_return;
  // Lingering close (as nginx does): the client may still be sending the
  // rest of a request we rejected. Closing with unread data would send a
  // RST that can destroy our answer in the client's receive buffer, so stop
  // sending, then drain what arrives for a bounded time and size.
  socket.shutdown(tcp::socket::shutdown_send, ec);
  io_deadline.expires_after(std::chrono::seconds(2));
  std::array<char, 16 * 1024> sink;
  std::size_t drained = 0;
  while (drained < kMaxLingerBytes) {
    auto [rec, rn] = co_await socket.async_read_some(asio::buffer(sink), kAwait);
    if (rec) break;
    drained += rn;
  }
}

// Parses the request the buffer holds. True when it is whole and passes the
// head checks with nothing to answer first (the usual case): then no
// coroutine runs for the reading. Otherwise finish_request() goes on from
// the parser's state and `hec`.
bool HttpServer::Impl::take_whole_request(beast::flat_buffer& buffer,
                                          std::optional<RequestParser>& parser_slot,
                                          HttpRequest& request, beast::error_code& hec) {
  auto& parser = parser_slot.emplace();
  parser.header_limit(options.max_header_bytes);
  parser.body_limit(options.max_body_bytes);
  parse_buffered(parser, buffer, hec);
  if (hec || !parser.is_done()) return false;
  Refusal refusal;
  if (check_head(parser, options.max_body_bytes, refusal)) return false;
  if (parser.get().version() >= 11 && parser.get().count(http::field::expect) != 0) return false;
  request = parser.release();
  return true;
}

// Reads the rest of a request take_whole_request() did not find whole, or
// answers why it is refused. Returns false when the connection must close
// (client gone, or a refused request already answered).
awaitable<bool> HttpServer::Impl::finish_request(tcp::socket& socket, IoDeadline& io_deadline,
                                                 beast::flat_buffer& buffer, RequestParser& parser,
                                                 HttpRequest& request, RequestDeadline& deadline,
                                                 beast::error_code hec, const ClientInfo& client) {
  std::size_t hn = 0;
  if (!hec && !parser.is_header_done()) {
    deadline.arm(options.request_timeout);
    std::tie(hec, hn) = co_await http::async_read_header(socket, buffer, parser, kAwait);
  }
  Refusal refusal;
  if (!hec) hec = check_head(parser, options.max_body_bytes, refusal);
  if (!hec && parser.get().version() >= 11 &&
      beast::iequals(parser.get()[http::field::expect], "100-continue")) {
    // curl and others wait a second for this before sending a large body.
    // HTTP/1.0 clients do not know 100 (SPEC §11.1): no interim answer.
    deadline.arm(options.request_timeout);
    auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(kContinue), kAwait);
    if (wec) hec = wec;
  }
  if (!hec && !parser.is_done()) {
    deadline.arm(options.request_timeout);
    std::tie(hec, hn) = co_await http::async_read(socket, buffer, parser, kAwait);
  }
  if (deadline.disarm() && hec) hec = beast::error::timeout;
  if (!hec) {
    request = parser.release();
    co_return true;
  }
  if (hec == http::error::end_of_stream || hec == asio::error::connection_reset ||
      hec == asio::error::eof) {
    co_return false;
  }
  // Known from the request line alone (a request refused before its header
  // block ended included): the method is `unknown` and the version 1.1 until
  // the request line is read.
  const auto& partial = parser.get();
  const bool head = partial.method() == http::verb::head;
  auto response = read_error_response(hec, refusal, partial.version());
  stamp_trace_id(partial, response);
  handler.refused(partial, client, response);
  co_await reply_and_close(socket, io_deadline, std::move(response), head);
  co_return false;
}

awaitable<void> HttpServer::Impl::session(tcp::socket socket, std::size_t worker) {
  beast::error_code ec;
  ClientInfo client{socket.remote_endpoint(ec).address(), worker};
  socket.set_option(tcp::no_delay(true), ec);
  // Responses are first written without waiting (below): a full send
  // buffer must say would_block, not block the worker.
  socket.non_blocking(true, ec);
  beast::flat_buffer buffer(options.max_header_bytes + kReadAheadBytes);
  std::string head;  // reused for every response's status line and fields
  std::optional<RequestParser> parser;
  IoDeadline io_deadline(socket);
  RequestDeadline deadline(socket);
  const auto scratch = handler.new_scratch();
  // Registered once per connection (references into an unordered_map stay
  // valid as it grows), flipped around each wait for a next request.
  bool& waiting = idle[worker][&socket];
  for (;;) {
    HttpRequest request;
    if (buffer.size() == 0) {
      // The admin listener keeps answering during a drain: /readyz says 503.
      if (state.draining && options.close_idle_on_drain) break;
      waiting = true;
      io_deadline.expires_after(options.idle_timeout);
      auto [ec, n] = co_await socket.async_read_some(buffer.prepare(8192), kAwait);
      waiting = false;
      if (ec) break;  // the idle timeout among others: close
      buffer.commit(n);
    }
    io_deadline.expires_never();  // from here on the request deadline applies
    beast::error_code hec;
    if (!take_whole_request(buffer, parser, request, hec) &&
        !co_await finish_request(socket, io_deadline, buffer, *parser, request, deadline, hec,
                                 client)) {
      break;
    }
    ++active_requests;
    if (options.inflight) ++*options.inflight;
    // Read before handle(): handlers may move the request's parts away.
    const bool head_request = request.method() == http::verb::head;
    const bool client_keep_alive = request.keep_alive();
    HttpResponse response;
    if (!handler.answer_now(request, client, scratch.get(), response)) {
      response = co_await handler.handle_rest(request, client, scratch.get());
    }
    const bool keep_alive = client_keep_alive && response.keep_alive() && !state.draining;
    response.keep_alive(keep_alive);
    write_head(response, head);
    // SPEC §11.1: the answer to HEAD has no body, whoever made it (the
    // Content-Length still says what GET would carry).
    const std::array<asio::const_buffer, 2> wire{
        asio::buffer(head),
        asio::buffer(response.body().data(), head_request ? 0 : response.body().size())};
    // Most answers fit in the socket's send buffer: written here at once,
    // with no trip through the event loop. Only a remainder waits for the
    // socket, within the request_timeout.
    beast::error_code wec;
    std::size_t sent = socket.write_some(wire, wec);
    if (wec == asio::error::would_block || wec == asio::error::try_again) {
      wec = {};
      sent = 0;
    }
    if (!wec && sent < asio::buffer_size(wire)) {
      io_deadline.expires_after(options.request_timeout);
      beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(wire);
      rest.consume(sent);
      std::tie(wec, std::ignore) = co_await asio::async_write(socket, rest, kAwait);
      io_deadline.expires_never();
    }
    if (options.inflight) --*options.inflight;
    --active_requests;
    if (wec || !keep_alive) break;
  }
  idle[worker].erase(&socket);
  socket.shutdown(tcp::socket::shutdown_send, ec);
  socket.close(ec);
  --connections;
}

awaitable<HttpResponse> RequestHandler::handle(HttpRequest& request, const ClientInfo& client) {
  const auto scratch = new_scratch();
  HttpResponse response;
  if (!answer_now(request, client, scratch.get(), response)) {
    response = co_await handle_rest(request, client, scratch.get());
  }
  co_return response;
}

HttpServer::HttpServer(WorkerPool& pool, const tcp::endpoint& endpoint, RequestHandler& handler,
                       ListenerOptions options, ServerState& state)
    : impl_(std::make_unique<Impl>(pool, endpoint, handler, std::move(options), state)) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(), asio::detached);
}

void HttpServer::stop_accepting() {
  impl_->stopping = true;
  asio::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  for (std::size_t w = 0; w < impl_->pool.size(); ++w) {
    asio::post(impl_->pool.context(w), [impl = impl_.get(), w] {
      for (auto [socket, waiting] : impl->idle[w]) {
        beast::error_code ignored;
        if (waiting) socket->cancel(ignored);
      }
    });
  }
}

std::uint16_t HttpServer::port() const { return impl_->port; }
std::int64_t HttpServer::active_requests() const { return impl_->active_requests.load(); }
std::int64_t HttpServer::open_connections() const { return impl_->connections.load(); }

tcp::endpoint parse_endpoint(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("expected host:port: " + host_port);
  std::string host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  const auto port = static_cast<std::uint16_t>(std::stoul(host_port.substr(colon + 1)));
  return tcp::endpoint(asio::ip::make_address(host), port);
}

}  // namespace yxgate::server
