// SPEC §11.7: connection limits clamped to the file-descriptor limit.
#include "frontdoor/connection_limits.hpp"

#include <gtest/gtest.h>

namespace yxgate::frontdoor {
namespace {

TEST(ConnectionLimits, LimitsThatFitAreKept) {
  const auto l = clamp_connection_limits(10000, 64, 1'048'576, reserved_descriptors(2, 64));
  EXPECT_EQ(l.data, 10000u);
  EXPECT_EQ(l.admin, 64u);
  EXPECT_FALSE(l.clamped);
}

// Issue 14, defect 7: with ulimit -n 1024 the defaults asked for 10064.
TEST(ConnectionLimits, DefaultsUnderUlimit1024LeaveTheReserveFree) {
  const auto reserved = reserved_descriptors(2, 64);
  const auto l = clamp_connection_limits(10000, 64, 1024, reserved);
  EXPECT_TRUE(l.clamped);
  EXPECT_LE(l.data + l.admin + reserved, 1024u);
  EXPECT_GE(l.data, 512u) << "the data plane keeps most descriptors";
  EXPECT_LE(l.admin, 64u);
  EXPECT_GE(l.admin, 1u);
}

TEST(ConnectionLimits, AdminNeverTakesMoreThanAnEighthOfWhatIsLeft) {
  const auto l = clamp_connection_limits(10000, 5000, 1000, 200);
  EXPECT_EQ(l.admin, 100u);
  EXPECT_EQ(l.data, 700u);
}

TEST(ConnectionLimits, ATinyLimitStillLeavesOneConnectionEach) {
  const auto l = clamp_connection_limits(10000, 64, 16, 200);
  EXPECT_GE(l.data, 1u);
  EXPECT_GE(l.admin, 1u);
}

}  // namespace
}  // namespace yxgate::frontdoor
