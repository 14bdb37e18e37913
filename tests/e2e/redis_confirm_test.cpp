// SPEC §11.3 with a replica that cannot confirm invalidations: a mutation
// sends two (before forwarding, after upstream answered); once the first
// went unconfirmed, the second's confirmations share its deadline. Before,
// each waited a timeout of its own: 2 x cache.redis.timeout per modifyMsg
// (seen while replicas' Redis links came back after a restart).
#include <csignal>

#include "e2e/gateway_test_env.hpp"
#include "support/redis_server.hpp"

namespace yxgate::testing {
namespace {

using namespace std::chrono_literals;

TEST(RedisConfirm, AnUnconfirmingReplicaCostsAMutationOneTimeoutNotTwo) {
  RedisServerProcess redis;
  EmulatorProcess emulator;
  // A long timeout keeps one (~1 s) and two (~2 s) far apart on a loaded machine.
  auto a = start_redis_replica(emulator.base_url(), redis.url(), "1s");
  auto b = start_redis_replica(emulator.base_url(), redis.url(), "1s");
  // B's subscriber stays connected (PUBLISH counts it) but B confirms nothing.
  b->process().signal(SIGSTOP);
  const auto started = std::chrono::steady_clock::now();
  const auto modified = request(a->port(), "POST", "/im/v2/messages/actions/modifyMsg",
                                {{"Content-Type", "application/json"}},
                                R"({"message":{"message_server_id":1021,"text":"v2"}})", 10s);
  const auto took = std::chrono::steady_clock::now() - started;
  b->process().signal(SIGCONT);
  EXPECT_EQ(json_get_int(modified.body, "/code"), 200) << modified.body;
  EXPECT_GE(took, 900ms) << "it waits for B's confirmation (or B's lease) once";
  EXPECT_LT(took, 1900ms) << "not once per invalidation";
  EXPECT_TRUE(a->process().wait_for_line("\"event\":\"invalidation_unconfirmed\"", 5s));
}

}  // namespace
}  // namespace yxgate::testing
