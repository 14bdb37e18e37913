#include "upstream/read_reply.hpp"

#include <algorithm>
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
    // A buffer at its max_size holds an unfinished chunk line or trailer
    // section that long (upstream_client.cpp): refused, not grown.
    const auto room = std::min(kReadSize, buffer.max_size() - buffer.size());
    if (room == 0) co_return http::error::buffer_overflow;
    auto [rec, n] = co_await socket.async_read_some(buffer.prepare(room), kAwait);
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
