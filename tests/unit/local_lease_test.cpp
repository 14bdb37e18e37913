// The local-layer lease's rules (SPEC §11.2, cache/local_lease.hpp): when an
// own heartbeat renews the lease, and when it must drop the local layer.
#include "cache/local_lease.hpp"

#include <gtest/gtest.h>

namespace yxgate::cache {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Beats {
  LocalLease lease{"r1", 100ms};
  Clock::time_point t0 = Clock::now();
  Clock::time_point lease_until = t0 + 100ms;  // as CachedMessages holds it

  std::optional<LocalLease::Renewal> back(const std::string& payload, Clock::time_point now) {
    const auto beat = parse_heartbeat(payload);
    EXPECT_TRUE(beat);
    auto renewal = lease.on_beat(*beat, now, lease_until);
    if (renewal) lease_until = renewal->lease_until;
    return renewal;
  }
};

TEST(LocalLease, HeartbeatPayloadRoundTrips) {
  const auto sent = Clock::now();
  const auto payload = render_heartbeat("abc", 42, sent);  // the beat views it
  const auto beat = parse_heartbeat(payload);
  ASSERT_TRUE(beat);
  EXPECT_EQ(beat->replica, "abc");
  EXPECT_EQ(beat->seq, 42u);
  EXPECT_EQ(beat->sent, sent);
  EXPECT_FALSE(parse_heartbeat("m\tnonce\tapp\t5"));  // an invalidation
  EXPECT_FALSE(parse_heartbeat("hb\tabc\tx\t1"));
  EXPECT_FALSE(parse_heartbeat("hb\tabc"));
}

TEST(LocalLease, InOrderBeatsRenewWithoutDropping) {
  Beats b;
  const auto first = b.back(b.lease.next_beat(b.t0), b.t0 + 1ms);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->drop_local);
  EXPECT_EQ(first->lease_until, b.t0 + 100ms);
  const auto second = b.back(b.lease.next_beat(b.t0 + 30ms), b.t0 + 31ms);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->drop_local);
  EXPECT_EQ(second->lease_until, b.t0 + 130ms);
}

TEST(LocalLease, AnotherReplicasBeatIsNotOurProof) {
  Beats b;
  const auto payload = render_heartbeat("r2", 1, b.t0);
  EXPECT_FALSE(b.lease.on_beat(*parse_heartbeat(payload), b.t0, b.t0));
}

TEST(LocalLease, AGapInTheNumbersDropsTheLocalLayer) {
  Beats b;
  b.back(b.lease.next_beat(b.t0), b.t0);
  b.lease.next_beat(b.t0 + 30ms);  // lost on the way
  const auto third = b.back(b.lease.next_beat(b.t0 + 60ms), b.t0 + 61ms);
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->drop_local);
}

TEST(LocalLease, ASilencePastTheLeaseDropsTheLocalLayer) {
  Beats b;
  b.back(b.lease.next_beat(b.t0), b.t0);
  const auto late = b.back(b.lease.next_beat(b.t0 + 30ms), b.t0 + 150ms);
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->drop_local);
}

TEST(LocalLease, AFailedBeatDropsTheLocalLayerOnTheNextOneAndLogsOnce) {
  Beats b;
  b.back(b.lease.next_beat(b.t0), b.t0);
  EXPECT_TRUE(b.lease.lose());
  EXPECT_FALSE(b.lease.lose());  // one log line per loss
  const auto next = b.back(b.lease.next_beat(b.t0 + 30ms), b.t0 + 31ms);
  ASSERT_TRUE(next);
  EXPECT_TRUE(next->drop_local);
  EXPECT_TRUE(next->newly_held);
}

TEST(LocalLease, AResubscriptionRestartsTheNumbering) {
  Beats b;
  b.back(b.lease.next_beat(b.t0), b.t0);
  b.lease.next_beat(b.t0 + 30ms);  // sent while unsubscribed: never seen
  const auto fresh = b.lease.resubscribed(b.t0 + 40ms);
  EXPECT_TRUE(fresh.drop_local);
  EXPECT_EQ(fresh.lease_until, b.t0 + 140ms);
  b.lease_until = fresh.lease_until;
  const auto next = b.back(b.lease.next_beat(b.t0 + 60ms), b.t0 + 61ms);
  ASSERT_TRUE(next);
  EXPECT_FALSE(next->drop_local);  // no gap counted across the resubscription
}

}  // namespace
}  // namespace yxgate::cache
