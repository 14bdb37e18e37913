#include <gtest/gtest.h>

#include "auth/client_auth.hpp"
#include "router/path_guard.hpp"

namespace yxgate::auth {
namespace {

// printf '%s' test-token | sha256sum
constexpr const char* kTokenHash =
    "4c5dc9b7708905f77f5e5d16316b5dfb425e68cb326dcd55a860e90a7707031e";

ClientAuthorizer billing() {
  return ClientAuthorizer({config::ClientConfig{
      "billing-service",
      kTokenHash,
      {"GET /im/v2/conversations/*/messages/*", "POST /im/v2/conversations/*/batch_messages",
       "* /im/v2/chatrooms/**"}}});
}

TEST(ClientAuth, NoClientsMeansEveryoneIsAllowed) {
  ClientAuthorizer none({});
  EXPECT_FALSE(none.enabled());
  EXPECT_EQ(none.check("", "DELETE", "/im/v2/anything").verdict, Verdict::kAllowed);
}

TEST(ClientAuth, MissingOrWrongTokenIsUnauthenticated) {
  const auto auth = billing();
  EXPECT_EQ(auth.check("", "GET", "/im/v2/conversations/a/messages/1").verdict,
            Verdict::kUnauthenticated);
  EXPECT_EQ(auth.check("Bearer nope", "GET", "/im/v2/conversations/a/messages/1").verdict,
            Verdict::kUnauthenticated);
  EXPECT_EQ(
      auth.check("Basic dGVzdC10b2tlbg==", "GET", "/im/v2/conversations/a/messages/1").verdict,
      Verdict::kUnauthenticated);
  EXPECT_EQ(auth.check("Bearer ", "GET", "/im/v2/conversations/a/messages/1").verdict,
            Verdict::kUnauthenticated);
}

TEST(ClientAuth, AllowlistDecides) {
  const auto auth = billing();
  const auto ok =
      auth.check("Bearer test-token", "GET", "/im/v2/conversations/a%7C1%7Cb/messages/7");
  EXPECT_EQ(ok.verdict, Verdict::kAllowed);
  EXPECT_EQ(ok.client, "billing-service");
  EXPECT_EQ(
      auth.check("bearer test-token", "POST", "/im/v2/conversations/x/batch_messages").verdict,
      Verdict::kAllowed);
  EXPECT_EQ(auth.check("Bearer test-token", "DELETE", "/im/v2/conversations/a/messages/7").verdict,
            Verdict::kForbidden);
  EXPECT_EQ(auth.check("Bearer test-token", "GET", "/im/v2/conversations/a/messages").verdict,
            Verdict::kForbidden);
  EXPECT_EQ(auth.check("Bearer test-token", "GET", "/im/v2/conversations/a/messages/7/x").verdict,
            Verdict::kForbidden);
  EXPECT_EQ(auth.check("Bearer test-token", "GET", "/im/v2/conversations//messages/7").verdict,
            Verdict::kForbidden);
  EXPECT_EQ(auth.check("Bearer test-token", "DELETE", "/im/v2/chatrooms/1/messages").verdict,
            Verdict::kAllowed);
  EXPECT_EQ(auth.check("Bearer test-token", "GET", "/im/v2.1/chatrooms/1").verdict,
            Verdict::kForbidden);
}

TEST(ClientAuth, DoubleStarMatchesTheRest) {
  EXPECT_TRUE(path_matches(split_path("/im/v2/**"), "/im/v2/a/b/c"));
  EXPECT_TRUE(path_matches(split_path("/im/v2/**"), "/im/v2"));
  EXPECT_FALSE(path_matches(split_path("/im/v2/**"), "/im/v21/a"));
}

TEST(PathGuard, RefusesTraversalAndEncodingTricks) {
  for (auto bad :
       {"/im/v2/../admin", "/im/v2/./x", "/im/v2//x", "/im/v2/%2e%2e/x", "/im/v2/a%2Fb",
        "/im/v2/a%2fb", "/im/v2/a%5Cb", "/im/v2/a%252Fb", "/im/v2/a%00", "/im/v2/a\\b",
        "/im/v2/a b", "im/v2/x", "/im/v2/%", "/im/v2/%G1", "/im/v2/..", "/im/v2/a%0d%0aX-Evil:1",
        // Servlet path parameters: Tomcat routes these as other paths.
        "/im/v2/messages/actions/modifyMsg;", "/im/v2/messages/actions/modifyMsg;jsessionid=1",
        "/im/v2/chatrooms/..;/messages/actions/modifyMsg", "/im/v2/x/.;y", "/im/v2/a%3Bb",
        "/im/v2/a%3bb",
        // A trailing '/': an empty last segment, dropped by upstream's stack.
        "/im/v2/messages/actions/modifyMsg/", "/im/v2/conversations/a%7C1%7Cb/messages/",
        "/im/v2/conversations/a%7C1%7Cb/messages/7/", "/im/v2/"}) {
    EXPECT_FALSE(router::check_path(bad).ok()) << bad;
  }
  for (auto good : {"/", "/im/v2/conversations/alice%7C1%7Cbob/messages/1",
                    "/im/v2/conversations/alice|1|bob/messages/1", "/im/v2.1/x",
                    "/im/v2/messages/actions/modifyMsg"}) {
    EXPECT_TRUE(router::check_path(good).ok()) << good;
  }
}

}  // namespace
}  // namespace yxgate::auth
