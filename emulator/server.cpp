#include "server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <iostream>
#include <thread>
#include <vector>

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
                                              bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(reply.status), version};
  res.set(http::field::content_type, "application/json;charset=utf-8");
  if (const auto trace = request.header("X-custom-traceid"); !trace.empty()) {
    res.set("X-custom-traceid", trace);
  }
  res.keep_alive(keep_alive);
  res.body() = std::move(reply.body);
  res.prepare_payload();
  return res;
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

asio::awaitable<void> do_session(beast::tcp_stream stream, Emulator& emulator) {
  beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(kIdleTimeout);
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, use_nothrow);
    if (read_ec) {
      if (read_ec.category() == http::make_error_code(http::error::bad_target).category()) {
        // Malformed HTTP: say so once, then close.
        auto res =
            to_response(Reply{400, R"({"code":400,"msg":"bad request","data":{}})"}, {}, 11, false);
        co_await http::async_write(stream, res, use_nothrow);
      }
      break;
    }
    auto& req = parser.get();
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    const Request request = to_request(req);
    Reply reply = emulator.handle(request);

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
    auto res = to_response(std::move(reply), request, version, keep_alive);
    stream.expires_after(kWriteTimeout);
    auto [write_ec, write_n] = co_await http::async_write(stream, res, use_nothrow);
    if (write_ec || !keep_alive) break;
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
  return 0;
}

}  // namespace yxgate::emulator
