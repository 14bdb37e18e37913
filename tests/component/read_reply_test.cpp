// Reading an upstream reply off a plain socket (upstream/read_reply): the
// outcomes http::async_read gave, which UpstreamClient maps to SPEC §5
// failures (a reset or early close, an oversized or malformed reply).
#include "upstream/read_reply.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <optional>
#include <string>
#include <vector>

#include "upstream/reply_parser.hpp"

namespace yxgate::upstream {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Read {
  boost::beast::error_code ec;
  Response response;
  std::size_t left_in_buffer = 0;
};

// Upstream writes `chunks` (each its own write), then closes unless
// `keep_open`; the gateway side reads one reply.
Read read_from(const std::vector<std::string>& chunks, bool keep_open = false,
               std::uint64_t body_limit = 1024 * 1024) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket upstream(io);
  tcp::socket gateway(io);
  gateway.connect(acceptor.local_endpoint());
  acceptor.accept(upstream);
  for (const auto& chunk : chunks) asio::write(upstream, asio::buffer(chunk));
  if (!keep_open) upstream.shutdown(tcp::socket::shutdown_send);
  boost::beast::flat_buffer buffer;
  ReplyParser parser(false);
  parser.body_limit(body_limit);
  std::optional<boost::beast::error_code> ec;
  asio::co_spawn(io, read_reply(gateway, buffer, parser),
                 [&](std::exception_ptr, boost::beast::error_code e) { ec = e; });
  io.run();
  EXPECT_TRUE(ec.has_value());
  Read read{ec.value_or(boost::beast::error_code{}), {}, buffer.size()};
  if (!read.ec) read.response = parser.release();
  return read;
}

constexpr std::string_view kHead = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n";

TEST(ReadReply, AReplyInSeveralSegmentsIsReadWhole) {
  const auto read =
      read_from({"HTTP/1.1 200 OK\r\nContent-Le", "ngth: 11\r\n\r\n{\"code\":", "20}"}, true);
  ASSERT_FALSE(read.ec) << read.ec.message();
  EXPECT_EQ(read.response.body(), R"({"code":20})");
}

TEST(ReadReply, BytesAfterTheReplyStayInTheBuffer) {
  const auto read = read_from({std::string(kHead) + "{\"code\":20}" + "HTTP/1.1"}, true);
  ASSERT_FALSE(read.ec) << read.ec.message();
  EXPECT_EQ(read.response.body(), R"({"code":20})");
  EXPECT_EQ(read.left_in_buffer, 8u);
}

TEST(ReadReply, CloseBeforeAnyByteIsEndOfStream) {
  EXPECT_EQ(read_from({}).ec, boost::beast::http::error::end_of_stream);
}

TEST(ReadReply, CloseInsideTheBodyIsAPartialMessage) {
  EXPECT_EQ(read_from({std::string(kHead) + "{\"co"}).ec,
            boost::beast::http::error::partial_message);
}

TEST(ReadReply, ABodyThatOnlyCloseEndsIsReadToTheClose) {
  const auto read = read_from({"HTTP/1.1 200 OK\r\n\r\n", "{\"code\":200}"});
  ASSERT_FALSE(read.ec) << read.ec.message();
  EXPECT_EQ(read.response.body(), R"({"code":200})");
}

TEST(ReadReply, AnOversizedBodyIsRefused) {
  EXPECT_EQ(read_from({std::string(kHead) + "{\"code\":20}"}, true, 4).ec,
            boost::beast::http::error::body_limit);
}

TEST(ReadReply, GarbageIsAnError) {
  const auto read = read_from({"NOT HTTP AT ALL\r\n\r\n"});
  EXPECT_TRUE(read.ec);
  EXPECT_NE(read.ec, boost::beast::http::error::end_of_stream);
}

}  // namespace
}  // namespace yxgate::upstream
