// The e2e harness is an instrument: a child that crashes, leaks, races or
// exits badly must fail the test that started it (issue 13). These tests
// start tests/harness/faulty_child.cpp in each mode and check the verdict.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include "support/process.hpp"

namespace yxgate::testing {
namespace {

using namespace std::chrono_literals;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadSanitizer = true;
#else
constexpr bool kThreadSanitizer = false;
#endif

ChildOptions faulty(std::string mode) {
  return {.binary = YXGATE_FAULTY_CHILD_BIN, .args = {std::move(mode)}, .name = "faulty"};
}

// Starts the child in `mode`, waits until it runs, and returns how the
// harness judges it after stopping it.
ChildVerdict verdict_of(std::string mode, std::chrono::milliseconds grace = 20s) {
  auto options = faulty(std::move(mode));
  options.stop_grace = grace;
  ChildProcess child(std::move(options));
  EXPECT_TRUE(child.wait_for_line("ready", 10s)) << child.read_stderr();
  return child.finish();
}

std::string joined(const ChildVerdict& verdict) {
  std::string all;
  for (const auto& p : verdict.problems) all += p + "\n";
  return all;
}

TEST(ChildVerdict, ACleanExitOnSigtermPasses) {
  const auto verdict = verdict_of("clean");
  EXPECT_TRUE(verdict.clean()) << joined(verdict);
}

TEST(ChildVerdict, ANonZeroExitOnSigtermFails) {
  const auto verdict = verdict_of("exit-3");
  EXPECT_NE(joined(verdict).find("exited with 3 on SIGTERM"), std::string::npos) << joined(verdict);
}

TEST(ChildVerdict, AChildThatIgnoresSigtermFails) {
  const auto verdict = verdict_of("ignore-term", 300ms);
  EXPECT_NE(joined(verdict).find("did not exit within 300 ms"), std::string::npos)
      << joined(verdict);
}

TEST(ChildVerdict, AChildThatDiedOnItsOwnFails) {
  ChildProcess child(faulty("crash-now"));
  ASSERT_TRUE(child.wait_for_line("ready", 10s));
  ASSERT_TRUE(child.wait_until_died(10s));  // it aborts at once
  const auto verdict = child.finish();
  EXPECT_NE(joined(verdict).find("exited on its own"), std::string::npos) << joined(verdict);
}

TEST(ChildVerdict, AnExitTheTestWaitedForIsTheTestsToJudge) {
  ChildProcess child(faulty("exit-3"));
  ASSERT_TRUE(child.wait_for_line("ready", 10s));
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait_exit(10s), 3);
  EXPECT_TRUE(child.finish().clean());
}

TEST(ChildVerdict, ASanitizerReportOnStderrFails) {
  const auto verdict = verdict_of("report-on-stderr");
  EXPECT_NE(joined(verdict).find("AddressSanitizer"), std::string::npos) << joined(verdict);
}

TEST(ChildVerdict, TheDestructorFailsTheRunningTest) {
  EXPECT_NONFATAL_FAILURE(
      {
        ChildProcess child(faulty("exit-3"));
        child.wait_for_line("ready", 10s);
      },
      "exited with 3 on SIGTERM");
}

TEST(ChildVerdict, AUseAfterFreeFails) {
  if (!kAddressSanitizer) GTEST_SKIP() << "needs the AddressSanitizer build";
  const auto verdict = verdict_of("use-after-free");
  EXPECT_NE(joined(verdict).find("heap-use-after-free"), std::string::npos) << joined(verdict);
}

TEST(ChildVerdict, ALeakFails) {
  if (!kAddressSanitizer) GTEST_SKIP() << "needs the AddressSanitizer build";
  const auto verdict = verdict_of("leak");
  EXPECT_NE(joined(verdict).find("LeakSanitizer"), std::string::npos) << joined(verdict);
}

TEST(ChildVerdict, UndefinedBehaviourFails) {
  if (!kAddressSanitizer) GTEST_SKIP() << "needs the UBSan build (built with ASan in CI)";
  const auto verdict = verdict_of("ubsan");
  EXPECT_NE(joined(verdict).find("runtime error"), std::string::npos) << joined(verdict);
}

TEST(ChildVerdict, ADataRaceFails) {
  if (!kThreadSanitizer) GTEST_SKIP() << "needs the ThreadSanitizer build";
  const auto verdict = verdict_of("race");
  EXPECT_NE(joined(verdict).find("ThreadSanitizer"), std::string::npos) << joined(verdict);
}

}  // namespace
}  // namespace yxgate::testing
