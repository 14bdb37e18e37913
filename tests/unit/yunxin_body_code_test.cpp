// The top-level `code` of a vendor reply (SPEC §5, §8 outcome labels): read
// at the front of a compact reply, by simdjson otherwise; both readings agree.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "yunxin/body_code.hpp"

namespace yxgate::yunxin {
namespace {

std::optional<long long> read(std::string body) {
  BodyCodeReader reader;
  const auto original = body;
  const auto code = reader.read(body);
  EXPECT_EQ(body, original) << "read() never changes the body";
  return code;
}

TEST(BodyCode, CompactRepliesAreReadAtTheFront) {
  EXPECT_EQ(read(R"({"code":200,"msg":"success","data":{"code":7}})"), 200);
  EXPECT_EQ(read(R"({"code":414,"msg":"parameter error"})"), 414);
  EXPECT_EQ(read(R"({"code":107404})"), 107404);
  EXPECT_EQ(read(R"({"code":-3,"msg":"x"})"), -3);
  EXPECT_EQ(read(R"({"code":0,"msg":"x"})"), 0);
}

TEST(BodyCode, OtherShapesAreReadAsJson) {
  EXPECT_EQ(read(R"({ "code" : 200 , "msg":"success"})"), 200);
  EXPECT_EQ(read(R"({"msg":"success","code":416})"), 416);
  EXPECT_EQ(read(R"({"code":123456789012345678,"x":1})"), 123456789012345678);
  EXPECT_EQ(read(R"({"code":1234567890123456789,"x":1})"), 1234567890123456789);
}

TEST(BodyCode, WhatIsNoInt64CodeHasNone) {
  EXPECT_EQ(read(R"({"code":200.0,"msg":"x"})"), std::nullopt);
  EXPECT_EQ(read(R"({"code":2e2,"msg":"x"})"), std::nullopt);
  EXPECT_EQ(read(R"({"code":0200,"msg":"x"})"), std::nullopt);
  EXPECT_EQ(read(R"({"code":"200","msg":"x"})"), std::nullopt);
  EXPECT_EQ(read(R"({"code":-,"msg":"x"})"), std::nullopt);
  EXPECT_EQ(read(R"({"code":99999999999999999999,"x":1})"), std::nullopt);
  EXPECT_EQ(read(R"({"msg":"x"})"), std::nullopt);
  EXPECT_EQ(read("[200]"), std::nullopt);
  EXPECT_EQ(read("<html>bad gateway</html>"), std::nullopt);
  EXPECT_EQ(read(""), std::nullopt);
  EXPECT_EQ(read(R"({"code":200)"), std::nullopt);
  // Not UTF-8: not JSON, whichever way it starts.
  EXPECT_EQ(read("{\"code\":200,\"msg\":\"\xff\"}"), std::nullopt);
  EXPECT_EQ(read("{\"msg\":\"\xff\",\"code\":200}"), std::nullopt);
}

}  // namespace
}  // namespace yxgate::yunxin
