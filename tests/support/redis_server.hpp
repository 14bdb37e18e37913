#pragma once
// A real redis-server for a test, on a free loopback port, with nothing
// persisted (--save '' --appendonly no). Always handled by pid.
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace yxgate::testing {

// TLS only (--port 0 --tls-port PORT): the server's certificate, and the CA
// that signed it (also what client certificates are checked against).
struct RedisTlsFiles {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  bool auth_clients = false;  // --tls-auth-clients: demand a client certificate
  // redis-cli's own client certificate when auth_clients is set.
  std::string client_cert_file{};
  std::string client_key_file{};
};

struct RedisServerOptions {
  std::string password{};  // non-empty: --requirepass
  std::optional<RedisTlsFiles> tls{};
  std::shared_ptr<TestDir> dir{};         // null: its own (logs kept if the test fails)
  std::vector<std::string> extra_args{};  // e.g. {"--replicaof", "127.0.0.1", "6379"}
  std::string name = "redis";             // log file names
};

class RedisServerProcess {
 public:
  // Starts redis-server ($YXGATE_REDIS_SERVER, else from $PATH) and waits for
  // "Ready to accept connections". Throws std::runtime_error if it cannot.
  explicit RedisServerProcess(RedisServerOptions options = {});
  ~RedisServerProcess();  // resumes if paused, then stops
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  // redis[s]://[:password@]127.0.0.1:PORT/0
  std::string url() const;
  pid_t pid() const { return process_ ? process_->pid() : -1; }
  bool running() const { return process_ != nullptr; }

  void stop();
  // SIGKILL: a crash, no shutdown work (a SIGTERMed master with replicas
  // first waits for them to catch up).
  void kill();
  // Starts again on the same port (throws if that fails).
  void restart();
  // SIGSTOP / SIGCONT: a hung Redis whose socket still accepts connections.
  void pause();
  void resume();

  // Runs `redis-cli -p PORT [-a PW] args...` and returns its stdout without
  // the trailing newline (raw mode: no quotes). For assertions only.
  std::string cli(const std::vector<std::string>& args) const;
  // How many times Redis ran these commands (INFO commandstats), e.g.
  // {"evalsha", "eval"}: the script calls, i.e. round trips of the gateway.
  int command_calls(const std::vector<std::string>& commands) const;

 private:
  bool start();  // false if the port was taken

  RedisServerOptions options_;
  std::string server_bin_;
  std::string cli_bin_;
  std::uint16_t port_ = 0;
  int starts_ = 0;
  bool paused_ = false;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace yxgate::testing
