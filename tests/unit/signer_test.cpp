#include "signing/signer.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>
#include <vector>

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

TEST(Signer, SigningFieldsAreTheFourHeadersAsLines) {
  std::string fields = "X-Before: 1\r\n";
  append_signing_fields(fields, "key-1", "secret-1", 1764000000);
  const std::regex lines(
      "X-Before: 1\r\nAppKey: key-1\r\nNonce: ([0-9a-f]{32})\r\nCurTime: 1764000000\r\n"
      "CheckSum: ([0-9a-f]{40})\r\n");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(fields, m, lines)) << fields;
  EXPECT_EQ(m[2].str(), check_sum("secret-1", m[1].str(), "1764000000"));
  std::string again;
  append_signing_fields(again, "key-1", "secret-1", 1764000000);
  EXPECT_EQ(again.find(m[1].str()), std::string::npos) << "a fresh nonce each time";
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
  const std::regex uuid_v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(std::regex_match(make_trace_id(), uuid_v4));
}

TEST(Signer, TraceIdsAreUniqueAcrossThreads) {
  // Each thread has its own generator, seeded from the CSPRNG.
  constexpr int kThreads = 4, kEach = 5000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < kEach; ++i) ids[t].push_back(make_trace_id());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> seen;
  for (const auto& list : ids) seen.insert(list.begin(), list.end());
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST(Signer, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

}  // namespace
}  // namespace yxgate::signing
