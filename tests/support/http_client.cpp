#include "support/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace yxgate::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string describe(std::string_view stage, const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timeout during " + std::string(stage);
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == http::error::partial_message) {
    return "closed during " + std::string(stage) + ": " + ec.message();
  }
  return std::string(stage) + ": " + ec.message();
}

// Runs `coroutine` to completion on `ioc` (the caller's thread) and returns its result.
template <class T>
T run(asio::io_context& ioc, asio::awaitable<T> coroutine) {
  T result{};
  ioc.restart();
  asio::co_spawn(ioc, std::move(coroutine), [&](std::exception_ptr error, T value) {
    if (error) std::rethrow_exception(error);
    result = std::move(value);
  });
  ioc.run();
  return result;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

struct KeepAliveClient::Impl {
  explicit Impl(std::uint16_t p) : port(p) {}

  void drop() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    buffer.consume(buffer.size());
    connected = false;
  }

  asio::awaitable<HttpResponse> exchange(http::request<http::string_body> req,
                                         std::chrono::milliseconds timeout) {
    HttpResponse out;
    stream.expires_after(timeout);  // covers connect, write and read together
    if (!connected) {
      const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
      auto [ec] = co_await stream.async_connect(endpoint, use_nothrow);
      if (ec) {
        out.error =
            ec == beast::error::timeout ? describe("connect", ec) : "connect: " + ec.message();
        drop();
        co_return out;
      }
      connected = true;
      ++connections_opened;
    }
    auto [write_ec, written] = co_await http::async_write(stream, req, use_nothrow);
    if (write_ec) {
      out.error = describe("write", write_ec);
      drop();
      co_return out;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (req.method() == http::verb::head) parser.skip(true);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_nothrow);
    if (read_ec) {
      out.error = describe("read", read_ec);
      drop();
      co_return out;
    }
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) drop();
    co_return out;
  }

  std::uint16_t port;
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;
  int connections_opened = 0;
};

KeepAliveClient::KeepAliveClient(std::uint16_t port) : impl_(std::make_unique<Impl>(port)) {}
KeepAliveClient::~KeepAliveClient() = default;

HttpResponse KeepAliveClient::request(std::string_view method, std::string_view target,
                                      const Headers& headers, std::string_view body,
                                      std::chrono::milliseconds timeout) {
  http::request<http::string_body> req;
  const auto verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    req.method_string(method);
  } else {
    req.method(verb);
  }
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(impl_->port));
  for (const auto& [name, value] : headers) req.insert(name, value);
  req.body() = std::string(body);
  req.prepare_payload();
  return run(impl_->ioc, impl_->exchange(std::move(req), timeout));
}

bool KeepAliveClient::connected() const { return impl_->connected; }
int KeepAliveClient::connections_opened() const { return impl_->connections_opened; }
void KeepAliveClient::close() { impl_->drop(); }

HttpResponse request(std::uint16_t port, std::string_view method, std::string_view target,
                     const Headers& headers, std::string_view body,
                     std::chrono::milliseconds timeout) {
  KeepAliveClient client(port);
  return client.request(method, target, headers, body, timeout);
}

namespace {

asio::awaitable<std::string> raw_coroutine(std::uint16_t port, std::string bytes,
                                           std::chrono::milliseconds timeout, bool half_close) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  std::string received;
  stream.expires_after(timeout);
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
  if (auto [ec] = co_await stream.async_connect(endpoint, use_nothrow); ec) co_return received;
  if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(bytes), use_nothrow); ec) {
    co_return received;
  }
  if (half_close) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
  std::array<char, 4096> chunk{};
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), use_nothrow);
    received.append(chunk.data(), n);
    if (ec) break;  // closed by the server, or the deadline
  }
  co_return received;
}

}  // namespace

std::string raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds timeout, bool half_close) {
  asio::io_context ioc;
  return run(ioc, raw_coroutine(port, std::string(bytes), timeout, half_close));
}

}  // namespace yxgate::testing
