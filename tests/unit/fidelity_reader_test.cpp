// The gateway's reading of requests and replies (fidelity/, SPEC §11.1).
#include <gtest/gtest.h>

#include "cache/app_identity.hpp"
#include "fidelity/auth_refusal.hpp"
#include "fidelity/content_coding.hpp"
#include "fidelity/json_body.hpp"
#include "fidelity/parsed_request.hpp"
#include "fidelity/url_text.hpp"

namespace yxgate::fidelity {
namespace {

TEST(UrlText, QueryNamesAndValuesAreDecodedPlusIsSpace) {
  auto params = parse_query("message%5Ftime=1%32&a+b=c+d&&flag");
  ASSERT_TRUE(params.ok()) << params.error().message;
  ASSERT_EQ(params->size(), 3u);
  EXPECT_EQ((*params)[0].name, "message_time");
  EXPECT_EQ((*params)[0].value, "12");
  EXPECT_EQ((*params)[1].name, "a b");
  EXPECT_EQ((*params)[1].value, "c d");
  EXPECT_EQ((*params)[2].name, "flag");
  EXPECT_FALSE((*params)[2].has_value);
}

TEST(UrlText, RepeatedBadlyEncodedOrNonUtf8ParametersAreRefused) {
  EXPECT_FALSE(parse_query("message_time=1&message%5Ftime=2").ok());
  EXPECT_FALSE(parse_query("a=%zz").ok());
  EXPECT_FALSE(parse_query("a=%FF").ok());
  EXPECT_FALSE(decode_path_segment("alice%C0%AF").ok());  // overlong '/'
  EXPECT_FALSE(decode_path_segment("%ED%A0%80").ok());    // surrogate
  EXPECT_EQ(*decode_path_segment("a+b%7C%C3%A9"), "a+b|\xC3\xA9");
}

TEST(UrlText, CanonicalEncodingKeepsOnlyUnreserved) {
  EXPECT_EQ(encode_component("alice|1|b.o_b~-"), "alice%7C1%7Cb.o_b~-");
  EXPECT_EQ(encode_component("\xC3\xA9 /"), "%C3%A9%20%2F");
}

TEST(ParsedRequest, SingleGetReadsEncodedIdsAndNamesAndForwardsTheCanonicalTarget) {
  auto lookup = read_single_get("alice%7c1%7Cbob", "%35%31",
                                "message%5Ftime=0007&x=1&check_team_valid=false");
  ASSERT_TRUE(lookup.ok()) << lookup.error().message;
  EXPECT_EQ(lookup->message_server_id, 51u);
  EXPECT_EQ(lookup->message_time, 7u);
  EXPECT_FALSE(lookup->check_team);
  EXPECT_EQ(single_get_target("/im/v2/", *lookup),
            "/im/v2/conversations/alice%7C1%7Cbob/messages/51?message_time=7");
  auto bypass = read_single_get("a%7C2%7C5", "1", "check_team_member_valid=true");
  ASSERT_TRUE(bypass.ok());
  EXPECT_TRUE(bypass->check_team);
  EXPECT_EQ(single_get_target("/im/v2.1/", *bypass),
            "/im/v2.1/conversations/a%7C2%7C5/messages/1?check_team_member_valid=true");
}

TEST(ParsedRequest, SingleGetRefusesWhatItCannotReadOneWay) {
  for (const char* query : {"message_time=1&message_time=1", "message_time=", "message_time",
                            "check_team_valid=1", "check_team_valid=TRUE", "message_time=%FF"}) {
    EXPECT_FALSE(read_single_get("alice%7C1%7Cbob", "5", query).ok()) << query;
  }
  EXPECT_FALSE(read_single_get("alice%7C1%7Cbob", "5%20", "").ok());
  EXPECT_FALSE(read_single_get("alice%FF%7C1%7Cbob", "5", "").ok());
}

TEST(JsonBody, BatchItemsNeedCreateTimeAndAtMost100) {
  auto items = read_batch_body(
      R"({"messages":[{"create_time":2,"message_server_id":1},{"message_server_id":3,"create_time":4}]})");
  ASSERT_TRUE(items.ok()) << items.error().message;
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].message_server_id, 1u);
  EXPECT_EQ((*items)[1].create_time, 4u);
  EXPECT_FALSE(read_batch_body(R"({"messages":[{"message_server_id":1}]})").ok());
  // Quoted numbers: Java's libraries coerce them, a strict upstream answers
  // 414; either reading is possible, so the gateway refuses (SPEC §11.1).
  EXPECT_FALSE(read_batch_body(R"({"messages":[{"message_server_id":"3","create_time":4}]})").ok());
  EXPECT_FALSE(read_batch_body(R"({"messages":[{"message_server_id":3,"create_time":"4"}]})").ok());
  EXPECT_FALSE(read_batch_body(R"({"messages":[]})").ok());
  EXPECT_FALSE(read_batch_body(R"({"messages":[{"message_server_id":1,"create_time":1.5}]})").ok());
  EXPECT_FALSE(
      read_batch_body(
          R"({"messages":[{"message_server_id":1,"message_server_id":2,"create_time":1}]})")
          .ok());
  EXPECT_FALSE(
      read_batch_body(R"({"messages":[],"messages":[{"message_server_id":1,"create_time":1}]})")
          .ok());
  EXPECT_FALSE(read_batch_body(R"({"messages":[{"message_server_id":1,"create_time":1}]} x)").ok());
  std::string many = R"({"messages":[)";
  for (int i = 1; i <= 101; ++i) {
    many += (i > 1 ? "," : "") + std::string(R"({"message_server_id":)") + std::to_string(i) +
            R"(,"create_time":1})";
  }
  EXPECT_FALSE(read_batch_body(many + "]}").ok());
}

TEST(JsonBody, ModifyBodyKeysAreDecodedDuplicatesRefusedAndTheBodyCanonical) {
  auto escaped = read_modify_body(
      "{ \"message\" : {\"message\\u005fserver_id\": 42, \"text\":\"\\u00e9\"}, \"op\":1 }");
  ASSERT_TRUE(escaped.ok()) << escaped.error().message;
  EXPECT_EQ(escaped->message_server_id, 42u);
  EXPECT_EQ(escaped->canonical,
            "{\"message\":{\"message_server_id\":42,\"text\":\"\xC3\xA9\"},\"op\":1}");
  EXPECT_FALSE(
      read_modify_body(R"({"message":{"message_server_id":1},"message":{"message_server_id":2}})")
          .ok());
  EXPECT_FALSE(read_modify_body(R"({"message":{"message_server_id":1,"ext":{"a":1,"a":2}}})").ok());
  EXPECT_FALSE(read_modify_body(R"({"message":{"message_server_id":-1}})").ok());
  EXPECT_FALSE(read_modify_body(R"({"message":{"text":"x"}})").ok());
  EXPECT_EQ(read_modify_body(R"({"message":{"message_server_id":"77"}})")->message_server_id, 77u);
}

TEST(ParsedRequest, MutationsNameWhatTheyTouchAndForwardOneEncoding) {
  auto route = router::classify("DELETE", "/im/v2/conversations/alice|1|bob/messages/0361");
  auto del = read_mutation(route, "type=1", "");
  ASSERT_TRUE(del.ok()) << del.error().message;
  EXPECT_EQ(del->message_id, 361u);
  EXPECT_EQ(del->upstream_target, "/im/v2/conversations/alice%7C1%7Cbob/messages/361?type=1");
  auto clear =
      read_mutation(router::classify("DELETE", "/im/v2.1/conversations/a|2|07/messages"), "", "");
  ASSERT_TRUE(clear.ok());
  ASSERT_TRUE(clear->conversation);
  EXPECT_EQ(clear->upstream_target, "/im/v2.1/conversations/a%7C2%7C7/messages");
  auto modify = read_mutation(router::classify("POST", "/im/v2/messages/actions/modifyMsg"), "",
                              R"({"message":{"message_server_id":9}})");
  ASSERT_TRUE(modify.ok());
  EXPECT_EQ(modify->message_id, 9u);
  EXPECT_FALSE(
      read_mutation(router::classify("DELETE", "/im/v2/conversations/a|1|b/messages/x"), "", "")
          .ok());
}

TEST(ContentCoding, GzipAndDeflateRepliesAreDecoded) {
  const std::string body = R"({"code":200,"msg":"success","data":{"message_server_id":5}})";
  EXPECT_EQ(*decode_content("gzip", encode_content("gzip", body), 1 << 20), body);
  EXPECT_EQ(*decode_content("Deflate", encode_content("deflate", body), 1 << 20), body);
  EXPECT_EQ(*decode_content("", body, 1 << 20), body);
  EXPECT_EQ(*decode_content("identity", body, 1 << 20), body);
  EXPECT_EQ(
      *decode_content("gzip, gzip", encode_content("gzip", encode_content("gzip", body)), 1 << 20),
      body);
}

TEST(ContentCoding, CorruptTruncatedUnknownOrOversizedBodiesFail) {
  const std::string body(10000, 'x');
  const auto gz = encode_content("gzip", body);
  EXPECT_FALSE(decode_content("gzip", gz.substr(0, gz.size() / 2), 1 << 20).ok());
  EXPECT_FALSE(decode_content("gzip", "not gzip", 1 << 20).ok());
  EXPECT_FALSE(decode_content("br", body, 1 << 20).ok());
  EXPECT_FALSE(decode_content("gzip", gz, 100).ok());
  EXPECT_FALSE(decode_content("gzip", gz + "trailing", 1 << 20).ok());
}

TEST(AuthRefusal, OnlySignatureRefusalsCount) {
  for (auto msg : kAuthRefusalMessages) {
    EXPECT_TRUE(
        is_auth_refusal_body(R"({"code":414,"msg":")" + std::string(msg) + R"(","data":{}})"))
        << msg;
  }
  EXPECT_TRUE(is_auth_refusal_message("CheckSum Error"));
  EXPECT_FALSE(is_auth_refusal_body(R"({"code":414,"msg":"parameter error: limit","data":{}})"));
  EXPECT_FALSE(is_auth_refusal_body(R"({"code":200,"msg":"checksum error","data":{}})"));
  EXPECT_FALSE(is_auth_refusal_body("not json"));
}

TEST(AppIdentity, DigestOfTheKeyNotTheKey) {
  const auto a = cache::app_cache_identity("key-a");
  EXPECT_EQ(a.size(), 33u);
  EXPECT_EQ(a, cache::app_cache_identity("key-a"));
  EXPECT_NE(a, cache::app_cache_identity("key-b"));
  EXPECT_EQ(a.find("key-a"), std::string::npos);
}

}  // namespace
}  // namespace yxgate::fidelity
