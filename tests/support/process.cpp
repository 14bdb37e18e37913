#include "support/process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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
      stderr_path_(dir_->path() / (options.name + ".stderr")) {
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

ChildProcess::~ChildProcess() { stop(); }

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

void ChildProcess::signal(int sig) {
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

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!poll_exit()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
  return exit_status_;
}

std::optional<int> ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) return exit_status_;
  ::kill(pid_, SIGTERM);
  if (auto status = wait_exit(grace)) return status;
  ::kill(pid_, SIGKILL);
  return wait_exit(std::chrono::seconds(5));
}

}  // namespace yxgate::testing
