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
};

class ChildProcess {
 public:
  // Throws std::runtime_error if the binary cannot be spawned.
  explicit ChildProcess(ChildOptions options);
  // SIGTERM, wait up to 2 s, then SIGKILL; always reaps.
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
  // SIGTERM, then SIGKILL after `grace`; returns the exit status.
  std::optional<int> stop(std::chrono::milliseconds grace = std::chrono::seconds(2));

 private:
  bool poll_exit();  // reaps if exited

  std::shared_ptr<TestDir> dir_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

}  // namespace yxgate::testing
