#include "signing/signer.hpp"

#include <gtest/gtest.h>

#include <set>

namespace yxgate::signing {
namespace {

bool is_lower_hex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Vector computed outside the code:
//   printf '%s' 0f1e2d3c4b5a69788796a5b4c3d2e1f0 4f9a1c0b8e2d7a6f5c3b1e0d9a8f7c6b 1764000000 |
//   sha1sum
TEST(Signer, CheckSumMatchesSha1sumOfSecretNonceCurTime) {
  EXPECT_EQ(check_sum("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "4f9a1c0b8e2d7a6f5c3b1e0d9a8f7c6b",
                      "1764000000"),
            "1adb14aac0ece7c6b4f6bc53b493be26c419bb48");
}

TEST(Signer, SignFillsAllFourHeaders) {
  const auto h = sign("key-1", "secret-1", 1764000000);
  EXPECT_EQ(h.app_key, "key-1");
  EXPECT_EQ(h.cur_time, "1764000000");
  EXPECT_EQ(h.nonce.size(), 32u);
  EXPECT_TRUE(is_lower_hex(h.nonce));
  EXPECT_EQ(h.check_sum, check_sum("secret-1", h.nonce, h.cur_time));
}

TEST(Signer, NoncesAreFreshPerRequest) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(make_nonce());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Signer, TraceIdIsUuidV4Text) {
  const auto id = make_trace_id();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(make_trace_id(), id);
}

TEST(Signer, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

}  // namespace
}  // namespace yxgate::signing
