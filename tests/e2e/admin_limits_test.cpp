// Issue 14 defect 7 / SPEC §11.7: idle admin connections cannot take the
// file descriptors the data plane needs.
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

constexpr std::string_view kMessage = "/im/v2/conversations/alice%7C1%7Cbob/messages/1001";

// Open TCP connections, closed by the destructor.
class Connections {
 public:
  ~Connections() {
    for (int fd : fds_) ::close(fd);
  }
  // Connects `n` sockets to 127.0.0.1:port (connect completes from the
  // listen backlog even when the server never accepts).
  void open(std::uint16_t port, int n) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < n; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      ASSERT_GE(fd, 0);
      fds_.push_back(fd);
      ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << i;
    }
  }

 private:
  std::vector<int> fds_;
};

// Starts the processes with a soft RLIMIT_NOFILE of `limit` (inherited).
class AdminLimits : public GatewayTest {
 protected:
  void start_with_fd_limit(rlim_t limit, GatewayOptions options = {}) {
    rlimit saved{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit lowered = saved;
    lowered.rlim_cur = limit;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
    try {
      start(std::move(options));
    } catch (...) {
      setrlimit(RLIMIT_NOFILE, &saved);
      throw;
    }
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  }
};

TEST_F(AdminLimits, IdleAdminConnectionsCannotStarveTheDataPlane) {
  start_with_fd_limit(256);
  EXPECT_NE(gateway().log().find("connection_limits_clamped"), std::string::npos)
      << gateway().log();
  Connections flood;
  flood.open(gateway().admin_port(), 400);
  // The data plane still answers, and so does the admin port once its
  // share frees up (the flood is closed at once beyond the limit).
  const auto res = get(kMessage);
  EXPECT_EQ(res.status, 200) << res.error;
  EXPECT_EQ(json_get_int(res.body, "/code"), 200) << res.body;
}

TEST_F(AdminLimits, AdminConnectionsBeyondTheLimitAreClosedAtOnce) {
  start({.server_yaml = "  admin_max_connections: 2\n"});
  KeepAliveClient first(gateway().admin_port());
  KeepAliveClient second(gateway().admin_port());
  ASSERT_EQ(first.request("GET", "/healthz").status, 200);
  ASSERT_EQ(second.request("GET", "/healthz").status, 200);
  EXPECT_FALSE(request(gateway().admin_port(), "GET", "/healthz").ok());
  EXPECT_EQ(get(kMessage).status, 200) << "the data plane has its own limit";
  EXPECT_EQ(json_get_int(second.request("GET", "/config").body, "/server/admin_max_connections"),
            2);
}

}  // namespace
}  // namespace yxgate::testing
