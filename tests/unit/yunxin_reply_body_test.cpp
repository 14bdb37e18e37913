// The gateway's own bodies are read by the vendor's SDKs exactly as
// upstream's: same envelope, same escaping (SPEC §5).
#include <gtest/gtest.h>

#include <simdjson.h>

#include "yunxin/codes.hpp"
#include "yunxin/reply_body.hpp"

namespace yxgate::yunxin {
namespace {

TEST(YunxinReplyBody, AnErrorBodyIsUpstreamsEnvelopeWithAnEscapedMessage) {
  const auto body = error_body(kParameterError, "bad \"x\"\n\x01");
  EXPECT_EQ(body, R"({"code":414,"msg":"bad \"x\"\n\u0001","data":{}})");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(body).get(root));
  EXPECT_EQ(int64_t(root["code"]), 414);
  EXPECT_EQ(std::string_view(root["msg"]), "bad \"x\"\n\x01");
}

TEST(YunxinReplyBody, TheCachedNotFoundIsTheErrorBodyOfItsCodeAndText) {
  EXPECT_EQ(kMessageNotFoundBody, error_body(kMessageNotFound, kMessageNotFoundText));
}

TEST(YunxinReplyBody, ASuccessBodyWrapsItsDataVerbatim) {
  EXPECT_EQ(success_body(R"({"a":1})"), R"({"code":200,"msg":"success","data":{"a":1}})");
}

}  // namespace
}  // namespace yxgate::yunxin
