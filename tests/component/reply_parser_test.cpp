// Upstream replies as the relay gets them (SPEC §3.4): hop-by-hop fields,
// and those upstream's Connection names, never stored; status and phrase
// as sent; keep-alive as the reply says.
#include "upstream/reply_parser.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>
#include <vector>

namespace yxgate::upstream {
namespace {

struct Parsed {
  Response response;
  bool keep_alive = false;
};

Parsed parse(std::string_view wire, bool head = false) {
  ReplyParser parser(head);
  boost::beast::error_code ec;
  parser.eager(true);
  parser.put(boost::asio::buffer(wire.data(), wire.size()), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.is_done());
  return {parser.release(), parser.keep_alive()};
}

std::vector<std::string> names(const Response& response) {
  std::vector<std::string> out;
  for (const auto& field : response) out.emplace_back(field.name_string());
  return out;
}

constexpr std::string_view kReply =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "X-Up-Drop: 1\r\n"
    "Connection: keep-alive, X-Up-Drop\r\n"
    "Keep-Alive: timeout=5\r\n"
    "Content-Length: 2\r\n"
    "X-Kept: 1\r\n"
    "\r\n{}";

TEST(ReplyParser, HopByHopFieldsAndThoseConnectionNamesAreNotKept) {
  const auto parsed = parse(kReply);
  EXPECT_EQ(names(parsed.response), (std::vector<std::string>{"Content-Type", "X-Kept"}));
  EXPECT_EQ(parsed.response.body(), "{}");
  EXPECT_EQ(parsed.response.result_int(), 200);
  EXPECT_EQ(parsed.response.reason(), "OK");
  EXPECT_TRUE(parsed.keep_alive);
}

TEST(ReplyParser, HeadRepliesKeepTheirContentLength) {
  const auto parsed = parse(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 133\r\n\r\n", true);
  EXPECT_EQ(names(parsed.response), (std::vector<std::string>{"Content-Type", "Content-Length"}));
  EXPECT_EQ(parsed.response[http::field::content_length], "133");
}

TEST(ReplyParser, StatusAndPhraseAreKeptAsSentAndCloseEndsKeepAlive) {
  const auto teapot =
      parse("HTTP/1.1 418 I'm a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(teapot.response.result_int(), 418);
  EXPECT_EQ(teapot.response.reason(), "I'm a teapot");
  EXPECT_TRUE(names(teapot.response).empty());
  EXPECT_FALSE(teapot.keep_alive);
  const auto odd = parse("HTTP/1.1 200 Fine\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(odd.response.reason(), "Fine");
}

TEST(ReplyParser, ChunkedBodiesAreJoined) {
  const auto parsed = parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kept: 1\r\n\r\n"
      "3\r\n{\"a\r\n4\r\n\":1}\r\n0\r\n\r\n");
  EXPECT_EQ(parsed.response.body(), R"({"a":1})");
  EXPECT_EQ(names(parsed.response), (std::vector<std::string>{"X-Kept"}));
}

// Trailer fields are not header fields (RFC 9110 §6.5): none reaches the
// reply the relay sends on, not even one that names a real header.
TEST(ReplyParser, TrailerFieldsAreDropped) {
  const auto parsed = parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kept: 1\r\n\r\n"
      "2\r\n{}\r\n0\r\nX-Trailer: late\r\nSet-Cookie: a=b\r\nContent-Type: text/html\r\n\r\n");
  EXPECT_EQ(parsed.response.body(), "{}");
  EXPECT_EQ(names(parsed.response), (std::vector<std::string>{"X-Kept"}));
}

}  // namespace
}  // namespace yxgate::upstream
