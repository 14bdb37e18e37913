#include "support/process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace yxgate::testing {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(10);

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string current_test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "no-test";
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return name;
}

// Lines of `text` (complete or not) matching `match`.
template <class Match>
std::optional<std::string> find_line(const std::string& text, Match&& match) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (match(line)) return line;
  }
  return std::nullopt;
}

// Every sanitizer runtime writes its report to <prefix>.<pid> instead of
// stderr, on top of whatever options the test run set (scripts/test.sh).
void add_sanitizer_log_path(std::vector<std::pair<std::string, std::string>>& env,
                            const std::string& prefix) {
  for (const char* var : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"}) {
    auto it = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == var; });
    std::string value = it != env.end() ? it->second : "";
    if (it == env.end()) {
      if (const char* inherited = std::getenv(var)) value = inherited;
    }
    if (!value.empty()) value += ':';
    value += "log_path=" + prefix;
    if (it != env.end()) {
      it->second = value;
    } else {
      env.emplace_back(var, value);
    }
  }
}

// The lines a sanitizer starts its reports with (for reports that reached
// stderr after all, e.g. from a grandchild with its own options).
bool is_sanitizer_line(std::string_view line) {
  for (std::string_view marker :
       {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
        "ThreadSanitizer: reported", ": runtime error: ", "ERROR: UndefinedBehaviorSanitizer"}) {
    if (line.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

// A report's first lines: enough to name it in the failure message.
std::string report_excerpt(const std::string& text) {
  constexpr std::size_t kLines = 12;
  std::istringstream in(text);
  std::string line, out;
  for (std::size_t i = 0; i < kLines && std::getline(in, line); ++i) out += line + "\n";
  return out;
}

// Signals that do not ask a process to end.
bool is_non_terminating(int sig) {
  return sig == SIGHUP || sig == SIGSTOP || sig == SIGCONT || sig == SIGUSR1 || sig == SIGUSR2 ||
         sig == 0;
}

}  // namespace

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/getsockname failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

TestDir::TestDir() {
  const char* tmp = std::getenv("TMPDIR");
  const auto root = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") / "yxgate-e2e";
  std::filesystem::create_directories(root);
  std::string pattern = (root / (current_test_name() + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TestDir::~TestDir() {
  const bool failed = ::testing::Test::HasFailure();
  if (failed || std::getenv("YXGATE_KEEP_TEST_DIRS") != nullptr) {
    if (failed) std::fprintf(stderr, "[ test dir kept: %s ]\n", path_.c_str());
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ChildProcess::ChildProcess(ChildOptions options)
    : dir_(options.dir ? std::move(options.dir) : std::make_shared<TestDir>()),
      stdout_path_(dir_->path() / (options.name + ".stdout")),
      stderr_path_(dir_->path() / (options.name + ".stderr")),
      name_(options.name),
      expect_clean_exit_(options.expect_clean_exit),
      stop_grace_(options.stop_grace) {
  add_sanitizer_log_path(options.env, (dir_->path() / (options.name + ".sanitizer")).string());
  std::vector<std::string> argv_storage{options.binary};
  argv_storage.insert(argv_storage.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& [key, value] : options.env) overridden = overridden || key == name;
    if (!overridden) env_storage.emplace_back(entry);
  }
  for (const auto& [key, value] : options.env) env_storage.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // Keep the test's own sockets out of the child: an inherited client socket
  // would stay open after the test closes it.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  const int rc =
      ::posix_spawn(&pid_, options.binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("posix_spawn " + options.binary + ": " + std::strerror(rc));
  }
}

ChildProcess::~ChildProcess() {
  for (const auto& problem : finish().problems) ADD_FAILURE() << problem;
}

std::vector<std::string> ChildProcess::sanitizer_reports() const {
  std::vector<std::string> reports;
  const auto report_path =
      dir_->path() / (name_ + ".sanitizer." + std::to_string(static_cast<long>(pid_)));
  std::error_code ec;
  if (std::filesystem::file_size(report_path, ec) > 0 && !ec) {
    reports.push_back(report_path.string() + ":\n" + report_excerpt(read_file(report_path)));
  }
  std::istringstream err(read_stderr());
  std::string line;
  while (std::getline(err, line)) {
    if (is_sanitizer_line(line)) {
      reports.push_back(stderr_path_.string() + ": " + line);
      break;
    }
  }
  return reports;
}

ChildVerdict ChildProcess::finish() {
  ChildVerdict verdict;
  if (finished_ || pid_ <= 0) return verdict;
  finished_ = true;
  const std::string who = name_ + " (pid " + std::to_string(static_cast<long>(pid_)) + ")";
  if (running()) {
    // Once the test itself sent a terminating signal the child is already on
    // its way out: a second SIGTERM could land after it dropped its handler
    // and kill it (143). Wait for the first one to finish instead.
    if (!term_sent_) send_term();
    auto status = wait_exit(stop_grace_);
    if (!status) {
      ::kill(pid_, SIGKILL);
      wait_exit(std::chrono::seconds(5));
      verdict.problems.push_back(who + " did not exit within " +
                                 std::to_string(stop_grace_.count()) + " ms of SIGTERM");
    } else if (expect_clean_exit_ && *status != 0) {
      verdict.problems.push_back(who + " exited with " + std::to_string(*status) +
                                 " on SIGTERM (expected 0); stderr: " + stderr_path_.string());
    }
  } else if (!exit_expected_ && expect_clean_exit_ && exit_status_.value_or(0) != 0) {
    verdict.problems.push_back(who + " exited on its own with " + std::to_string(*exit_status_) +
                               "; stderr: " + stderr_path_.string());
  }
  for (auto& report : sanitizer_reports()) {
    verdict.problems.push_back(who + " wrote a sanitizer report: " + report);
  }
  return verdict;
}

std::string ChildProcess::read_stdout() const { return read_file(stdout_path_); }
std::string ChildProcess::read_stderr() const { return read_file(stderr_path_); }

bool ChildProcess::poll_exit() {
  if (exit_status_) return true;
  if (pid_ <= 0) return true;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return false;
  if (r == pid_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } else {
    exit_status_ = -1;  // not our child any more (should not happen)
  }
  return true;
}

bool ChildProcess::running() { return !poll_exit(); }

void ChildProcess::send_term() {
  // A stopped child (SIGSTOP) cannot act on SIGTERM: continue it first. Only
  // then: a SIGCONT arriving later would discard the SIGSTOP LeakSanitizer's
  // exit-time tracer sends to suspend the process, and hang it for good.
  std::ifstream stat("/proc/" + std::to_string(static_cast<long>(pid_)) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'T') {
    ::kill(pid_, SIGCONT);
  }
  ::kill(pid_, SIGTERM);
  term_sent_ = true;
}

void ChildProcess::signal(int sig) {
  if (!is_non_terminating(sig)) exit_expected_ = term_sent_ = true;
  if (running()) ::kill(pid_, sig);
}

std::optional<std::string> ChildProcess::wait_for_line(const std::regex& pattern,
                                                       std::chrono::milliseconds timeout) {
  const auto matches = [&](const std::string& line) { return std::regex_search(line, pattern); };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Check exit first, then read: output written before exit is not missed.
    const bool exited = poll_exit();
    if (auto line = find_line(read_stdout(), matches)) return line;
    if (auto line = find_line(read_stderr(), matches)) return line;
    if (exited || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::optional<std::string> ChildProcess::wait_for_line(std::string_view substring,
                                                       std::chrono::milliseconds timeout) {
  std::string escaped;
  for (char c : substring) {
    if (std::strchr(R"(\^$.|?*+()[]{})", c) != nullptr) escaped += '\\';
    escaped += c;
  }
  return wait_for_line(std::regex(escaped), timeout);
}

bool ChildProcess::wait_until_died(std::chrono::milliseconds timeout) {
  const bool expected = exit_expected_;
  const bool died = wait_exit(timeout).has_value();
  exit_expected_ = expected;
  return died;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  exit_expected_ = true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!poll_exit()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
  return exit_status_;
}

std::optional<int> ChildProcess::stop(std::chrono::milliseconds grace) {
  exit_expected_ = true;
  if (!running()) return exit_status_;
  send_term();
  if (auto status = wait_exit(grace)) return status;
  ::kill(pid_, SIGKILL);
  return wait_exit(std::chrono::seconds(5));
}

}  // namespace yxgate::testing
