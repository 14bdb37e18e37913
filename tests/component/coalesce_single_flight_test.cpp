// Shared single GETs (SPEC §3.1.2, §3.1.4) under the generation rule of
// coalesce/ticket.hpp (SPEC §11.2), step by step on one io_context: the
// test releases each call's answer itself.
#include <gtest/gtest.h>

#include "coalesce/single_flight.hpp"
#include "coalesce/ticket.hpp"
#include "coalesce_harness.hpp"

namespace yxgate::coalesce::testing {
namespace {

struct Lookup {
  std::optional<SharedReply<std::string>> reply;
  bool aborted = false;
  asio::cancellation_signal cancel;
};

class CoalesceSingleFlight : public ::testing::TestWithParam<bool> {
 protected:
  // One pending upstream call per run() that leads.
  struct Call {
    std::shared_ptr<Completion> released;
    std::string answer;
  };

  std::shared_ptr<Lookup> get(std::uint64_t id) {
    auto lookup = std::make_shared<Lookup>();
    // Taken on arrival, as single_message_route does (ticket.hpp rule 1).
    const auto key = flight_key(h.cache().ticket(0, id), "/messages/" + std::to_string(id));
    asio::co_spawn(
        h.io,
        [this, lookup, key]() -> asio::awaitable<void> {
          try {
            lookup->reply = co_await flights.run(key, [this]() -> asio::awaitable<std::string> {
              auto call = std::make_shared<Call>();
              call->released = std::make_shared<Completion>(co_await asio::this_coro::executor);
              calls.push_back(call);
              co_await call->released->wait();
              co_return call->answer;
            });
          } catch (const boost::system::system_error&) {
            lookup->aborted = true;
          }
        },
        asio::bind_cancellation_slot(lookup->cancel.slot(), asio::detached));
    h.settle();
    return lookup;
  }
  void answer(std::size_t call, std::string text) {
    calls.at(call)->answer = std::move(text);
    calls.at(call)->released->notify();
    h.settle();
  }

  CoalesceHarness h{GetParam()};
  SingleFlight<std::string> flights;
  std::vector<std::shared_ptr<Call>> calls;
};

TEST_P(CoalesceSingleFlight, JoinersBeforeAMutationShareArrivalsAfterItCallAnew) {
  auto leader = get(7);
  auto joiner = get(7);
  ASSERT_EQ(calls.size(), 1u);
  h.mutate(7);
  auto late = get(7);
  ASSERT_EQ(calls.size(), 2u) << "a lookup after the mutation joined the old call";

  answer(0, "old");
  ASSERT_TRUE(leader->reply && joiner->reply);
  EXPECT_EQ(*leader->reply->reply, "old");
  EXPECT_EQ(*joiner->reply->reply, "old");
  EXPECT_TRUE(leader->reply->leader);
  EXPECT_TRUE(leader->reply->shared);
  EXPECT_FALSE(joiner->reply->leader);
  EXPECT_FALSE(late->reply) << "served by the call that left before the mutation";

  answer(1, "new");
  ASSERT_TRUE(late->reply);
  EXPECT_EQ(*late->reply->reply, "new");
  EXPECT_FALSE(late->reply->shared);
}

TEST_P(CoalesceSingleFlight, AfterTheCallReturnsTheNextLookupCallsAgain) {
  auto first = get(7);
  answer(0, "a");
  auto second = get(7);
  EXPECT_EQ(calls.size(), 2u);
  EXPECT_FALSE(first->reply->shared);
}

TEST_P(CoalesceSingleFlight, AFollowerWhoseClientWentAwayDoesNotBreakTheOthers) {
  auto leader = get(7);
  auto gone = get(7);
  auto stays = get(7);
  gone->cancel.emit(asio::cancellation_type::terminal);
  h.settle();
  EXPECT_TRUE(gone->aborted);
  answer(0, "v");
  ASSERT_TRUE(leader->reply && stays->reply);
  EXPECT_EQ(*stays->reply->reply, "v");
  EXPECT_FALSE(gone->reply);
}

INSTANTIATE_TEST_SUITE_P(LocalLayer, CoalesceSingleFlight, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "On" : "Off"; });

}  // namespace
}  // namespace yxgate::coalesce::testing
