#include "server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>
#include <tuple>
#include <vector>

#include "gzip.hpp"

namespace yxgate::emulator {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr std::uint64_t kMaxBody = 16 * 1024 * 1024;
// Small, so a message body spans several chunks and a client must join them.
constexpr std::size_t kChunkSize = 64;

Request to_request(http::request<http::string_body>& req) {
  Request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  for (const auto& field : req) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(req.body());
  return out;
}

http::response<http::string_body> to_response(Reply reply, const Request& request, unsigned version,
                                              bool keep_alive, bool gzip, bool gzip_always) {
  http::response<http::string_body> res{static_cast<http::status>(reply.status), version};
  // Beast would write "<unknown-status>" for a code it has no name for (418).
  if (http::to_status_class(static_cast<unsigned>(reply.status)) != http::status_class::unknown &&
      http::int_to_status(static_cast<unsigned>(reply.status)) == http::status::unknown) {
    res.reason("Status " + std::to_string(reply.status));
  }
  res.set(http::field::content_type,
          reply.content_type.empty() ? "application/json;charset=utf-8" : reply.content_type);
  if (const auto trace = request.header("X-custom-traceid"); !trace.empty()) {
    res.set("X-custom-traceid", trace);
  }
  if (reply.foreign_fields) {
    res.set("X-Yxgate-Cache", "hit");
    res.set("X-Yxgate-Error", "upstream_timeout");
    res.set("X-Yxgate-Replayed", "1");
  }
  if (reply.compressible && !reply.body.empty() &&
      (gzip_always || (gzip && accepts_gzip(request.header("Accept-Encoding"))))) {
    res.set(http::field::content_encoding, "gzip");
    res.set(http::field::vary, "Accept-Encoding");
    reply.body = gzip_compress(reply.body);
  }
  res.keep_alive(keep_alive && !reply.close);
  res.body() = std::move(reply.body);
  res.prepare_payload();
  return res;
}

// Writes `res` with Transfer-Encoding: chunked, its body cut into kChunkSize
// pieces (Beast's own chunked serializer would send one chunk), and a
// trailer field after the last chunk, as HTTP/1.1 servers may send: a
// client must not take it for a header field (RFC 9110 §6.5). `bloated`
// (fault bloated_chunks): the first chunk's size line carries a 1 MiB
// extension and the trailer a 1 MiB field, both legal and neither limited
// by a body or header limit: a client must bound what it buffers for them.
asio::awaitable<beast::error_code> write_chunked(beast::tcp_stream& stream,
                                                 http::response<http::string_body>& res,
                                                 bool bloated) {
  http::response<http::empty_body> head{res.result(), res.version()};
  for (const auto& field : res) {
    if (field.name() != http::field::content_length) head.set(field.name_string(), field.value());
  }
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer(head);
  auto [ec, n] = co_await http::async_write_header(stream, serializer, use_nothrow);
  if (ec) co_return ec;
  const std::string_view body = res.body();
  constexpr std::size_t kBloat = 1024 * 1024;
  std::string wire;
  for (std::size_t at = 0; at < body.size(); at += kChunkSize) {
    const auto piece = body.substr(at, kChunkSize);
    char size[20];
    std::snprintf(size, sizeof size, "%zx", piece.size());
    wire.append(size);
    if (bloated && at == 0) wire.append(";x=").append(kBloat, 'e');
    wire.append("\r\n").append(piece).append("\r\n");
  }
  wire += "0\r\nX-Emulator-Trailer: sent-after-the-body\r\n";
  if (bloated) wire.append("X-Emulator-Bloat: ").append(kBloat, 't').append("\r\n");
  wire += "\r\n";
  auto [body_ec, written] = co_await asio::async_write(stream, asio::buffer(wire), use_nothrow);
  co_return body_ec;
}

// Fault "hang": never answer; return when the client goes (or at shutdown,
// when the io_context destroys this frame).
asio::awaitable<void> hold_until_client_leaves(beast::tcp_stream& stream) {
  stream.expires_never();
  std::array<char, 512> scratch{};
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), use_nothrow);
    if (ec) co_return;
  }
}

// A callback another thread may call to wake a coroutine parked on `timer`:
// the cancel is posted to the timer's strand, never run across threads.
std::function<void()> waker(const std::shared_ptr<asio::steady_timer>& timer) {
  return [timer] { asio::post(timer->get_executor(), [timer] { timer->cancel(); }); };
}

// Parks until the held request is released; false when it was dropped (reset).
asio::awaitable<bool> wait_released(Held& held, asio::any_io_executor executor) {
  auto timer = std::make_shared<asio::steady_timer>(executor);
  held.set_waker(waker(timer));  // before the check: a release in between still wakes us
  while (!held.released()) {
    timer->expires_at(asio::steady_timer::time_point::max());
    co_await timer->async_wait(use_nothrow);
  }
  co_return !held.dropped();
}

// GET /_emulator/held: until `wait_for` requests are held or the timeout.
asio::awaitable<std::string> wait_held(HoldTable& holds, std::size_t wait_for,
                                       std::chrono::milliseconds timeout,
                                       asio::any_io_executor executor) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto timer = std::make_shared<asio::steady_timer>(executor);
  for (;;) {
    holds.on_next_arrival(waker(timer));  // before the check, as above
    if (holds.held_count() >= wait_for || std::chrono::steady_clock::now() >= deadline) break;
    timer->expires_at(deadline);
    co_await timer->async_wait(use_nothrow);
  }
  co_return holds.held_json();
}

std::chrono::milliseconds idle_timeout(const Emulator& emulator) {
  const auto ms = emulator.switches().idle_timeout_ms.load();
  if (ms > 0) return std::chrono::milliseconds{ms};
  return kIdleTimeout;
}

asio::awaitable<void> do_session(beast::tcp_stream stream, Emulator& emulator) {
  beast::flat_buffer buffer;
  for (;;) {
    // --idle-timeout-ms: an idle keep-alive connection is closed silently,
    // as a server's keep-alive timeout does (a pooled client sees EOF).
    stream.expires_after(idle_timeout(emulator));
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, use_nothrow);
    if (read_ec) {
      if (read_ec == beast::error::timeout && !parser.got_some()) emulator.record_idle_close();
      if (read_ec.category() == http::make_error_code(http::error::bad_target).category()) {
        // Malformed HTTP: say so once, then close.
        auto res = to_response(Reply{400, R"({"code":400,"msg":"bad request","data":{}})"}, {}, 11,
                               false, false, false);
        co_await http::async_write(stream, res, use_nothrow);
      }
      break;
    }
    auto& req = parser.get();
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    const Request request = to_request(req);
    Reply reply = emulator.handle(request);

    if (reply.action == Action::kWaitHeld) {
      reply.body = co_await wait_held(emulator.holds(), reply.wait_for, reply.wait_timeout,
                                      stream.get_executor());
      reply.body = R"({"code":200,"msg":"success","data":)" + reply.body + "}";
      reply.action = Action::kRespond;
    }
    if (reply.hold) {
      if (!co_await wait_released(*reply.hold, stream.get_executor())) break;
      if (reply.action == Action::kHoldThenRun) reply = emulator.run_released(request);
    }
    if (reply.delay.count() > 0) {
      // A timer, not a sleep: other connections on this thread keep going.
      asio::steady_timer timer(stream.get_executor(), reply.delay);
      co_await timer.async_wait(use_nothrow);
    }
    if (reply.action == Action::kClose) break;
    if (reply.action == Action::kHang) {
      co_await hold_until_client_leaves(stream);
      break;
    }
    const bool chunked = reply.chunked && version >= 11;
    const bool bloated = reply.bloated;
    // HTTP/1.0 knows no 1xx replies (RFC 9110 §15.2).
    const auto prelude = version >= 11 ? reply.prelude : std::string_view{};
    auto res = to_response(std::move(reply), request, version, keep_alive, emulator.switches().gzip,
                           emulator.switches().gzip_always);
    stream.expires_after(kWriteTimeout);
    beast::error_code write_ec;
    if (!prelude.empty()) {
      std::tie(write_ec, std::ignore) =
          co_await asio::async_write(stream, asio::buffer(prelude), use_nothrow);
      if (write_ec) break;
    }
    if (chunked) {
      write_ec = co_await write_chunked(stream, res, bloated);
    } else {
      std::tie(write_ec, std::ignore) = co_await http::async_write(stream, res, use_nothrow);
    }
    if (write_ec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.close();
}

asio::awaitable<void> do_listen(tcp::acceptor acceptor, Emulator& emulator) {
  for (;;) {
    // Each connection on its own strand: tcp_stream's timer and socket
    // completions must not run concurrently on the io threads.
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::make_strand(acceptor.get_executor()), use_nothrow);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. EMFILE under load: keep accepting
    socket.set_option(tcp::no_delay(true), ec);
    emulator.record_connection();
    auto executor = socket.get_executor();
    asio::co_spawn(executor, do_session(beast::tcp_stream(std::move(socket)), emulator),
                   asio::detached);
  }
}

}  // namespace

int run_server(Emulator& emulator, const Options& options) {
  asio::io_context ioc(options.threads);
  tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
  tcp::acceptor acceptor(ioc);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  // Before "listening": whoever waits for that line may signal us at once.
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
  const auto bound = acceptor.local_endpoint();
  std::cout << "listening " << bound.address().to_string() << ':' << bound.port() << std::endl;
  asio::co_spawn(ioc, do_listen(std::move(acceptor), emulator), asio::detached);

  std::vector<std::jthread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& thread : threads) thread.join();
  emulator.shutdown();  // before ~io_context: held requests keep callbacks into it
  return 0;
}

}  // namespace yxgate::emulator
