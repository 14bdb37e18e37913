#pragma once
// Child processes for end-to-end tests: start a binary on its own output
// files, wait for a line it prints, stop it. Always by pid, never by name.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yxgate::testing {

// A port that was free a moment ago (bind 127.0.0.1:0, read it, close).
// Prefer letting a server bind port 0 and print its port where it can.
std::uint16_t free_port();

// A fresh directory named after the running test, under $TMPDIR (or /tmp)
// /yxgate-e2e/. Removed on destruction unless the test failed or
// YXGATE_KEEP_TEST_DIRS is set, so failures leave their logs behind.
class TestDir {
 public:
  TestDir();
  ~TestDir();
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct ChildOptions {
  std::string binary{};
  std::vector<std::string> args{};
  std::vector<std::pair<std::string, std::string>> env{};  // set on top of ours
  std::string name = "child";      // output goes to <dir>/<name>.stdout / .stderr
  std::shared_ptr<TestDir> dir{};  // null: a fresh TestDir
  // When the destructor stops the child: SIGTERM must end it with exit code
  // 0 within `stop_grace` (long enough for LeakSanitizer's exit scan), or
  // the running test fails. Turn off for children whose exit code is not
  // ours to judge (servers we did not write).
  bool expect_clean_exit = true;
  std::chrono::milliseconds stop_grace = std::chrono::seconds(20);
};

// What a finished child left that must fail the test: sanitizer reports
// (ASan, LSan, UBSan, TSan: written to <dir>/<name>.sanitizer.<pid> through
// the *SAN_OPTIONS log_path set for every child, or found in its stderr),
// an exit code other than 0 after our SIGTERM, or an exit nobody asked for.
struct ChildVerdict {
  std::vector<std::string> problems;
  bool clean() const { return problems.empty(); }
};

class ChildProcess {
 public:
  // Throws std::runtime_error if the binary cannot be spawned.
  explicit ChildProcess(ChildOptions options);
  // finish(), and every problem it finds is a failure of the running test.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::filesystem::path& stdout_path() const { return stdout_path_; }
  const std::filesystem::path& stderr_path() const { return stderr_path_; }
  std::string read_stdout() const;
  std::string read_stderr() const;

  // Polls stdout then stderr every 10 ms for a line matching; returns it, or
  // nullopt at the deadline or once the process has exited without it.
  std::optional<std::string> wait_for_line(const std::regex& pattern,
                                           std::chrono::milliseconds timeout);
  std::optional<std::string> wait_for_line(std::string_view substring,
                                           std::chrono::milliseconds timeout);

  bool running();
  void signal(int sig);
  // The exit code, 128 + signal number if a signal killed it, or nullopt if
  // it is still running at the deadline.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // Waits for an exit the test did not ask for (a crash it provokes):
  // false at the deadline. Unlike wait_exit, finish() still judges it.
  bool wait_until_died(std::chrono::milliseconds timeout);
  // SIGTERM (after SIGCONT if it is stopped), then SIGKILL after
  // `grace`; returns the exit status.
  std::optional<int> stop(std::chrono::milliseconds grace = std::chrono::seconds(2));

  // Stops the child if it still runs (SIGTERM, `stop_grace`, SIGKILL) and
  // judges how it ended (see ChildVerdict). Idempotent; the destructor calls
  // it and reports each problem with ADD_FAILURE.
  ChildVerdict finish();

 private:
  bool poll_exit();  // reaps if exited
  void send_term();
  std::vector<std::string> sanitizer_reports() const;

  std::shared_ptr<TestDir> dir_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
  std::string name_;
  bool expect_clean_exit_ = true;
  std::chrono::milliseconds stop_grace_{};
  // The test asked for an exit (stop, wait_exit, a terminating signal): an
  // exit code is then the test's to judge, not ours.
  bool exit_expected_ = false;
  bool term_sent_ = false;  // a terminating signal was sent already
  bool finished_ = false;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

}  // namespace yxgate::testing
