// Upstream replies on parsed routes (SPEC §11.1): asked for identity, decoded
// when they come compressed anyway; pass-through requests are left alone.
#include "upstream/reply_decoding.hpp"

#include <gtest/gtest.h>

#include "fidelity/content_coding.hpp"

namespace yxgate::upstream {
namespace {

namespace http = boost::beast::http;

const std::string kBody = R"({"code":200,"msg":"success","data":{"message_server_id":5}})";

upstream::Outcome reply_with(std::string_view coding, std::string body) {
  upstream::Outcome outcome;
  outcome.response.result(http::status::ok);
  if (!coding.empty()) outcome.response.set(http::field::content_encoding, coding);
  outcome.response.body() = std::move(body);
  return outcome;
}

TEST(ReplyDecoding, GzipAndDeflateBodiesAreDecodedAndTheHeaderDropped) {
  for (std::string_view coding : {"gzip", "deflate"}) {
    auto outcome = reply_with(coding, fidelity::encode_content(coding, kBody));
    decode_reply_body(outcome);
    EXPECT_EQ(outcome.failure, upstream::Failure::kNone) << outcome.detail;
    EXPECT_EQ(outcome.response.body(), kBody);
    EXPECT_EQ(outcome.response.count(http::field::content_encoding), 0u);
  }
  auto plain = reply_with("", kBody);
  decode_reply_body(plain);
  EXPECT_EQ(plain.response.body(), kBody);
}

TEST(ReplyDecoding, AnUndecodableBodyIsAProtocolFailure) {
  auto outcome = reply_with("gzip", "definitely not gzip");
  decode_reply_body(outcome);
  EXPECT_EQ(outcome.failure, upstream::Failure::kProtocol);
  auto unknown = reply_with("br", kBody);
  decode_reply_body(unknown);
  EXPECT_EQ(unknown.failure, upstream::Failure::kProtocol);
}

TEST(ReplyDecoding, OnlyRequestsAskingForIdentityAreRead) {
  upstream::Request parsed{http::verb::get, "/im/v2/conversations/a%7C1%7Cb/messages/5"};
  parsed.add_field("Accept-Encoding", "identity");
  EXPECT_TRUE(reads_reply(parsed));
  upstream::Request passthrough{http::verb::get, "/im/v2/chatrooms/1/messages"};
  passthrough.add_field("Accept-Encoding", "gzip");
  EXPECT_FALSE(reads_reply(passthrough));
}

}  // namespace
}  // namespace yxgate::upstream
