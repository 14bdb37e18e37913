#pragma once
// http::async_read for a plain upstream connection, straight on its socket:
// parses what `buffer` holds, reads only when the parser needs more, and
// reads up to 16 KiB at once. Beast's read went through tcp_stream's
// per-read machinery and read 512 bytes at a time: two reads for a 600-byte
// reply (issue 18). The same errors as http::async_read: end_of_stream for a
// close before any byte, what put_eof() says for one after some.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>

namespace yxgate::upstream {

boost::asio::awaitable<boost::beast::error_code> read_reply(
    boost::asio::ip::tcp::socket& socket, boost::beast::flat_buffer& buffer,
    boost::beast::http::basic_parser<false>& parser);

}  // namespace yxgate::upstream
