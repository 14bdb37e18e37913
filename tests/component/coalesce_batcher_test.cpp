// The coalescing core's interleavings (issue 16; SPEC §3.1 steps 4-5, §3.3,
// §11.2), driven step by step: the test decides when windows pass and when
// each upstream call answers (coalesce_harness.hpp). No sleeps, one thread.
#include <gtest/gtest.h>

#include "coalesce_harness.hpp"
#include "gateway/batch_call.hpp"

namespace yxgate::coalesce::testing {
namespace {

// Parameter: the in-process cache layer on (true) or off. The join rules must
// hold either way (SPEC §11.2 "with the in-process layer on or off").
class CoalesceBatcher : public ::testing::TestWithParam<bool> {
 protected:
  CoalesceHarness h{GetParam()};
};

TEST_P(CoalesceBatcher, JoinersBeforeAMutationAreServedArrivalsAfterItAskAnew) {
  auto first = h.lookup({1});
  h.advance(2ms);  // the window closes: the call leaves
  ASSERT_EQ(h.upstream.calls.size(), 1u);
  auto joiner = h.lookup({1});  // before the mutation: joins the call in flight
  EXPECT_EQ(h.upstream.calls.size(), 1u);

  h.mutate(1);
  auto late = h.lookup({1});  // after the mutation returned: must not join
  h.advance(20ms);            // held behind the call in flight for max_hold at most
  ASSERT_EQ(h.upstream.calls.size(), 2u) << "a lookup after the mutation joined the old call";
  EXPECT_EQ(h.upstream.ids(1), std::vector<std::uint64_t>{1});

  h.answer_found(0, "old");
  ASSERT_TRUE(first->done());
  ASSERT_TRUE(joiner->done());
  EXPECT_EQ(first->text(), "old");
  EXPECT_EQ(joiner->text(), "old");
  EXPECT_TRUE(first->results->front().shared);
  EXPECT_EQ(first->results->front().batch_trace_id, "batch-0");
  EXPECT_FALSE(late->done()) << "the late lookup was served by the call that left before";

  h.answer_found(1, "new");
  ASSERT_TRUE(late->done());
  EXPECT_EQ(late->text(), "new");
  EXPECT_FALSE(late->results->front().shared);
}

// A slow fill (a Redis write) delays no client: waiters are answered when
// the call returns. Until the fills are written the call stays joinable, so
// a lookup arriving then is answered from it without a second upstream call.
TEST_P(CoalesceBatcher, WaitersAreAnsweredBeforeTheFillsAndLateArrivalsStillJoin) {
  h.fills.hold = true;
  auto first = h.lookup({1, 2});
  h.advance(2ms);
  ASSERT_EQ(h.upstream.calls.size(), 1u);
  h.answer_found(0, "v1");
  ASSERT_EQ(h.fills.held.size(), 1u) << "the fills were not started";
  ASSERT_TRUE(first->done()) << "the client waited on the cache fill";
  EXPECT_EQ(first->text(1), "v1");

  auto late = h.lookup({2});  // missed the cache (not filled yet): joins the returned call
  ASSERT_TRUE(late->done());
  EXPECT_EQ(late->text(), "v1");
  h.advance(20ms);
  EXPECT_EQ(h.upstream.calls.size(), 1u) << "a lookup during the fill asked upstream again";

  h.mutate(2);
  auto after_mutation = h.lookup({2});  // must not be served the call from before it
  EXPECT_FALSE(after_mutation->done());

  h.fills.held.front()->notify();
  h.settle();
  h.advance(20ms);
  ASSERT_EQ(h.upstream.calls.size(), 2u);
  h.answer_found(1, "v2");
  ASSERT_TRUE(h.fills.held.size() == 2u);
  ASSERT_TRUE(after_mutation->done());
  EXPECT_EQ(after_mutation->text(), "v2");
  h.fills.held.back()->notify();
  h.settle();
}

// Observed on the local layer (with it off there is nothing to look at).
TEST(CoalesceFill, AFillThatRacedAMutationIsVetoed) {
  CoalesceHarness h{true};
  auto reader = h.lookup({1});
  h.advance(2ms);
  h.mutate(1);  // while the call is out
  h.answer_found(0, "old");
  ASSERT_TRUE(reader->done());
  EXPECT_EQ(reader->text(), "old");  // it asked before the mutation: served
  EXPECT_EQ(h.cached_text(1), "") << "the raced fill landed";

  // Control: an unraced call fills.
  auto again = h.lookup({1});
  h.advance(2ms);
  h.answer_found(1, "new");
  EXPECT_EQ(h.cached_text(1), "new");
}

// Observed on the local layer (with it off there is nothing to look at).
TEST(CoalesceFill, AMutationOfAnotherMessageDoesNotStopItFromFilling) {
  CoalesceHarness h{true};
  h.lookup({1});
  h.advance(2ms);
  // A different key; the generation is per shard, so pick one in another
  // shard by trying (the rule only promises "never stale", this checks it
  // is not "never fills" either).
  const auto before = h.cache().ticket(0, 1).local_generation;
  std::uint64_t other = 2;
  while (true) {
    h.mutate(other);
    if (h.cache().ticket(0, 1).local_generation == before) break;
    ++other;
    ASSERT_LT(other, 1000u);
  }
  h.answer_found(0, "v");
  EXPECT_EQ(h.cached_text(1), "v");
}

TEST_P(CoalesceBatcher, AFullBatchLeavesAtOnce) {
  auto a = h.lookup({1, 2});
  EXPECT_TRUE(h.upstream.calls.empty());
  auto b = h.lookup({2, 3});  // 3 distinct ids = max_batch
  ASSERT_EQ(h.upstream.calls.size(), 1u) << "full batch waited for its window";
  EXPECT_EQ(h.upstream.ids(0), (std::vector<std::uint64_t>{1, 2, 3}));
  h.answer_found(0, "v");
  ASSERT_TRUE(a->done() && b->done());
  EXPECT_EQ(a->text(1), "v");
  EXPECT_EQ(b->text(0), "v");
  // Its window timer fires later and must not send it twice.
  h.advance(2ms);
  EXPECT_EQ(h.upstream.calls.size(), 1u);
}

TEST_P(CoalesceBatcher, ABatchFilledOnAnotherWorkerIsSentByThatWorker) {
  // Each worker's upstream connections and Redis link are used only on its
  // own thread: the call must name, and run on, the worker that sends it.
  auto a = h.lookup({1, 2}, 0);
  auto b = h.lookup({3}, 1);  // fills it: leaves now, from worker 1
  ASSERT_EQ(h.upstream.calls.size(), 1u);
  EXPECT_EQ(h.upstream.calls[0]->call.lane, h.lane(1));
  EXPECT_TRUE(h.upstream.calls[0]->ran_on == asio::any_io_executor(h.io1.get_executor()));
  h.answer_found(0, "v");
  ASSERT_TRUE(a->done() && b->done());  // each woken on its own worker
  EXPECT_EQ(a->text(1), "v");

  auto c = h.lookup({4}, 1);  // opened by worker 1: its window fires there
  h.advance(2ms);
  ASSERT_EQ(h.upstream.calls.size(), 2u);
  EXPECT_EQ(h.upstream.calls[1]->call.lane, h.lane(1));
  EXPECT_TRUE(h.upstream.calls[1]->ran_on == asio::any_io_executor(h.io1.get_executor()));
}

TEST_P(CoalesceBatcher, ABatchLeavesWhenItsWindowCloses) {
  auto a = h.lookup({1});
  h.advance(1ms);
  auto b = h.lookup({2});  // same open batch
  h.advance(999us);
  EXPECT_TRUE(h.upstream.calls.empty()) << "left before the window";
  h.advance(1us);
  ASSERT_EQ(h.upstream.calls.size(), 1u);
  EXPECT_EQ(h.upstream.ids(0), (std::vector<std::uint64_t>{1, 2}));
}

TEST_P(CoalesceBatcher, AdaptiveTheNextBatchWaitsForTheCallInFlight) {
  h.lookup({1});
  h.advance(2ms);
  ASSERT_EQ(h.upstream.calls.size(), 1u);
  auto held = h.lookup({2});
  h.advance(2ms);  // its window has passed, but a call of its key is in flight
  h.advance(10ms);
  EXPECT_EQ(h.upstream.calls.size(), 1u) << "held batch left before the call returned";
  auto joined = h.lookup({4});  // still collecting
  h.answer_found(0, "v");
  ASSERT_EQ(h.upstream.calls.size(), 2u) << "held batch did not leave when the call returned";
  EXPECT_EQ(h.upstream.ids(1), (std::vector<std::uint64_t>{2, 4}));
  h.advance(20ms);  // its hold timer fires later and must not send it twice
  EXPECT_EQ(h.upstream.calls.size(), 2u);
  h.answer_found(1, "w");
  EXPECT_TRUE(held->done() && joined->done());
}

TEST_P(CoalesceBatcher, AdaptiveTheHeldBatchWaitsForEveryEarlierCall) {
  h.lookup({1, 2, 3});  // full: leaves at once
  h.lookup({4, 5, 6});  // full: leaves at once, two calls in flight
  ASSERT_EQ(h.upstream.calls.size(), 2u);
  auto held = h.lookup({7});
  h.answer_found(0, "v");
  EXPECT_EQ(h.upstream.calls.size(), 2u) << "left while an earlier call was still in flight";
  h.answer_found(1, "v");
  ASSERT_EQ(h.upstream.calls.size(), 3u) << "did not leave when the last earlier call returned";
  EXPECT_EQ(h.upstream.ids(2), std::vector<std::uint64_t>{7});
}

TEST_P(CoalesceBatcher, AdaptiveTheHeldBatchLeavesWhenFull) {
  h.lookup({1});
  h.advance(2ms);
  h.lookup({2, 3});
  EXPECT_EQ(h.upstream.calls.size(), 1u);
  h.lookup({4});  // 3 distinct ids
  ASSERT_EQ(h.upstream.calls.size(), 2u);
  EXPECT_EQ(h.upstream.ids(1), (std::vector<std::uint64_t>{2, 3, 4}));
}

TEST_P(CoalesceBatcher, AdaptiveTheHeldBatchLeavesAfterMaxHold) {
  h.lookup({1});
  h.advance(2ms);
  h.advance(5ms);
  h.lookup({2});  // held from here: leaves 20 ms later at the latest
  h.advance(19ms);
  EXPECT_EQ(h.upstream.calls.size(), 1u);
  h.advance(1ms);
  ASSERT_EQ(h.upstream.calls.size(), 2u) << "held past max_hold";
  EXPECT_EQ(h.upstream.ids(1), std::vector<std::uint64_t>{2});
}

TEST_P(CoalesceBatcher, WithNothingInFlightTheWindowAppliesAgain) {
  h.lookup({1});
  h.advance(2ms);
  h.answer_found(0, "v");
  h.lookup({2});
  h.advance(2ms);
  EXPECT_EQ(h.upstream.calls.size(), 2u) << "held although nothing was in flight";
}

TEST_P(CoalesceBatcher, ABatchFailureGoesToEveryWaiter) {
  auto a = h.lookup({1});
  auto b = h.lookup({2});
  h.advance(2ms);
  auto joiner = h.lookup({1});
  upstream::UpstreamReply reply;
  reply.outcome.failure = upstream::Failure::kTimeout;
  auto failure = std::make_shared<const CallFailure>(CallFailure{std::move(reply)});
  BatchOutcome outcome;
  outcome.results.resize(2);
  for (auto& r : outcome.results) r.batch = failure;  // kind defaults to kBatchFailed
  h.upstream.answer(0, std::move(outcome));
  h.settle();
  for (const auto& client : {a, b, joiner}) {
    ASSERT_TRUE(client->done());
    EXPECT_EQ(client->results->front().kind, ItemResult::Kind::kBatchFailed);
    EXPECT_EQ(client->results->front().batch, failure);
  }
  EXPECT_EQ(h.cached_text(1), "");
}

TEST_P(CoalesceBatcher, AnAnswerWithoutOneResultPerItemIsAFailureNotAHang) {
  auto a = h.lookup({1, 2});
  h.advance(2ms);
  BatchOutcome outcome;
  outcome.results.resize(1);
  h.upstream.answer(0, std::move(outcome));
  h.settle();
  ASSERT_TRUE(a->done());
  EXPECT_TRUE(a->results->at(0).malformed);
  EXPECT_TRUE(a->results->at(1).malformed);
}

TEST_P(CoalesceBatcher, AWaiterWhoseClientWentAwayDoesNotBreakTheOthers) {
  auto gone = h.lookup({1, 2});
  auto stays = h.lookup({2});
  h.advance(2ms);
  auto joiner = h.lookup({1});
  gone->cancel.emit(asio::cancellation_type::terminal);
  h.settle();
  EXPECT_TRUE(gone->aborted);
  h.answer_found(0, "v");
  ASSERT_TRUE(stays->done());
  ASSERT_TRUE(joiner->done());
  EXPECT_EQ(stays->text(), "v");
  EXPECT_EQ(joiner->text(), "v");
  EXPECT_FALSE(gone->done());
}

INSTANTIATE_TEST_SUITE_P(LocalLayer, CoalesceBatcher, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "On" : "Off"; });

}  // namespace
}  // namespace yxgate::coalesce::testing
