// The request reader's parser (issue 14): Beast's basic_parser without
// trailer merging, and the RFC 9112 framing check on what it parsed.
#include "server/request_parser.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>
#include <string_view>

namespace yxgate::server {
namespace {

// Feeds `bytes` as the reader does; returns the error (need_more when the
// message is incomplete).
boost::beast::error_code feed(RequestParser& parser, std::string_view bytes) {
  boost::beast::error_code ec;
  parser.eager(true);
  while (!bytes.empty() && !parser.is_done()) {
    const auto used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    bytes.remove_prefix(used);
    if (ec || used == 0) break;
  }
  return ec;
}

TEST(RequestParser, TrailerFieldsAreDroppedNotMergedIntoTheHeader) {
  RequestParser parser;
  const auto ec = feed(parser,
                       "POST /im/v2/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\nhello\r\n0\r\nAuthorization: Bearer t\r\nX-Yxgate-App: other\r\n\r\n");
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(parser.is_done());
  const auto request = parser.release();
  EXPECT_EQ(request.body(), "hello");
  EXPECT_EQ(request.count(http::field::authorization), 0u);
  EXPECT_EQ(request.count("X-Yxgate-App"), 0u);
  EXPECT_EQ(request[http::field::host], "x");
}

TEST(RequestParser, FramingBeastIgnoresIsRefusedAfterTheHeader) {
  RequestParser parser;
  const auto ec = feed(parser,
                       "POST /im/v2/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n"
                       "GET /im/v2/smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(parser.is_header_done());
  EXPECT_FALSE(check_framing(parser).ok());
}

TEST(RequestParser, ContentLengthFramingAgreesWithBeast) {
  RequestParser parser;
  ASSERT_FALSE(feed(parser, "POST /im/v2/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
  const auto decision = check_framing(parser);
  ASSERT_TRUE(decision.ok()) << decision.refusal;
  EXPECT_EQ(decision.framing, frontdoor::BodyFraming::kContentLength);
  EXPECT_EQ(decision.content_length, 5u);
  EXPECT_EQ(parser.get().body(), "hello");
}

TEST(RequestParser, WhitespaceBeforeAChunkExtensionIsRefused) {
  RequestParser parser;
  const auto ec = feed(parser,
                       "POST /im/v2/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5 ;ext\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(ec, http::error::bad_chunk_extension);
}

TEST(RequestParser, UnknownMethodsKeepTheirToken) {
  RequestParser parser;
  ASSERT_FALSE(feed(parser, "get /im/v2/x HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(parser.get().method_string(), "get");
  EXPECT_FALSE(frontdoor::is_known_method(parser.get().method_string()));
}

}  // namespace
}  // namespace yxgate::server
