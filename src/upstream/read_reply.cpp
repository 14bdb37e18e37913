#include "upstream/read_reply.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>

namespace yxgate::upstream {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadSize = 16 * 1024;
}  // namespace

asio::awaitable<beast::error_code> read_reply(asio::ip::tcp::socket& socket,
                                              beast::flat_buffer& buffer,
                                              http::basic_parser<false>& parser) {
  parser.eager(true);
  beast::error_code ec;
  for (;;) {
    while (buffer.size() > 0 && !parser.is_done()) {
      const auto used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec) co_return ec;
      if (used == 0) break;
    }
    if (parser.is_done()) co_return ec;
    auto [rec, n] = co_await socket.async_read_some(buffer.prepare(kReadSize), kAwait);
    if (rec == asio::error::eof) {
      if (!parser.got_some()) co_return http::error::end_of_stream;
      parser.put_eof(ec);
      co_return ec;
    }
    if (rec) co_return rec;
    buffer.commit(n);
  }
}

}  // namespace yxgate::upstream
