// The mutation-generation rules of coalescing (coalesce/ticket.hpp), the
// inline ones (flight_key is exercised through the gateway, tests/e2e).
#include <gtest/gtest.h>

#include "coalesce/ticket.hpp"

namespace yxgate::coalesce {
namespace {

FillTicket ticket(std::uint64_t generation, bool leased = true) {
  return FillTicket{cache::CacheKey{0, 1001}, generation, leased};
}

TEST(CoalesceTicket, ALookupJoinsACallOnlyUnderTheSameGeneration) {
  EXPECT_TRUE(may_join(ticket(7), ticket(7)));
  EXPECT_FALSE(may_join(ticket(7), ticket(8)));  // a mutation in between
}

// SPEC §11.2: a replica without its lease may have missed the mutation that
// returned after the call left: it joins nothing and shares no single GET.
TEST(CoalesceTicket, WithoutALeaseALookupJoinsAndSharesNothing) {
  EXPECT_FALSE(may_join(ticket(7), ticket(7, false)));
  EXPECT_FALSE(shares_calls(ticket(7, false)));
  EXPECT_TRUE(shares_calls(ticket(7)));
  // The call's own ticket may be unleased: later lookups still compare
  // generations (a lease regained after a missed one drops and advances them).
  EXPECT_TRUE(may_join(ticket(7, false), ticket(7)));
}

}  // namespace
}  // namespace yxgate::coalesce
