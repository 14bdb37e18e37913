// rediss:// against a real redis-server --tls-port with a test CA: the
// connection and the subscriber work over TLS; a certificate from another
// CA, for another name, or a missing client certificate is refused (Redis
// stays down, commands fail fast instead of waiting).
#include <gtest/gtest.h>

#include <string>

#include "redis/redis_command.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_subscriber.hpp"
#include "redis/redis_test_util.hpp"
#include "support/redis_server.hpp"
#include "support/test_ca.hpp"

namespace yxgate::redis::test {
namespace {

using testing::RedisServerOptions;
using testing::RedisServerProcess;
using testing::RedisTlsFiles;
using testing::TestCa;

// How long a refused handshake is given to (wrongly) come up.
constexpr auto kRefusalWindow = 1500ms;

class RedisTlsTest : public ::testing::Test {
 protected:
  static RedisServerOptions server_options(const TestCa& ca, bool auth_clients) {
    ca.issue("redis", "DNS:localhost,IP:127.0.0.1");
    ca.issue("client", "DNS:yxgate-client");
    RedisTlsFiles tls{ca.cert("redis"), ca.key("redis"),   ca.ca_file(),
                      auth_clients,     ca.cert("client"), ca.key("client")};
    return RedisServerOptions{.password = "", .tls = tls, .dir = ca.dir()};
  }

  RedisOptions options(config::RedisTlsConfig tls, std::string url = {}) {
    config::RedisConfig config;
    config.url = url.empty() ? server->url() : url;
    config.timeout = 1000ms;
    config.tls = std::move(tls);
    auto options = RedisOptions::from_config(config);
    EXPECT_TRUE(options.ok()) << (options.ok() ? "" : options.error().message);
    return options.value();
  }

  void start(bool auth_clients = false) {
    server = std::make_unique<RedisServerProcess>(server_options(ca, auth_clients));
  }

  // True if a connection with these settings comes up within the window.
  bool comes_up(const RedisOptions& options) {
    RedisConnection redis(io.get_executor(), options);
    bool up = false;
    run_test(io, [&]() -> asio::awaitable<void> {
      up = co_await redis.wait_until(true, kRefusalWindow);
      if (!up) {
        // Down means bypass at once, not a wait for the timeout.
        const auto start = Clock::now();
        auto reply = co_await redis.command(cmd("GET", "k"));
        EXPECT_FALSE(reply.ok());
        EXPECT_LT(elapsed_since(start), 100ms);
      }
    });
    return up;
  }

  TestCa ca;
  std::unique_ptr<RedisServerProcess> server;
  asio::io_context io;
};

TEST_F(RedisTlsTest, CommandsAndPubSubWorkOverTls) {
  start();
  const auto opts = options({.ca_file = ca.ca_file()});
  RedisConnection redis(io.get_executor(), opts);
  RedisSubscriber subscriber(io.get_executor(), opts);
  Event received(io.get_executor());
  Event subscribed(io.get_executor());
  std::string message;
  subscriber.subscribe(
      "yxgate:invalidate",
      [&](std::string_view m) {
        message = m;
        received.notify();
      },
      [&] { subscribed.notify(); });
  run_test(io, [&]() -> asio::awaitable<void> {
    CO_ASSERT_TRUE(co_await redis.wait_until(true, 5s));
    const std::string big(100 * 1024, 'x');  // several TLS records
    EXPECT_TRUE((co_await redis.command(cmd("SET", "k", big))).ok());
    auto get = co_await redis.command(cmd("GET", "k"));
    CO_ASSERT_TRUE(get.ok());
    EXPECT_EQ(get->str, big);
    CO_ASSERT_TRUE(co_await subscribed.wait(1, 5s));
    co_await redis.command(cmd("PUBLISH", "yxgate:invalidate", "app:42"));
    CO_ASSERT_TRUE(co_await received.wait(1, 5s));
    EXPECT_EQ(message, "app:42");
  });
  EXPECT_EQ(server->cli({"STRLEN", "k"}), "102400");
}

TEST_F(RedisTlsTest, NameInCertificateMatchedAgainstUrlHostOrServerName) {
  start();
  const auto port = std::to_string(server->port());
  // The certificate names localhost: a URL with that name verifies.
  EXPECT_TRUE(comes_up(options({.ca_file = ca.ca_file()}, "rediss://localhost:" + port + "/0")));
  // server_name overrides the host: a name the certificate lacks is refused.
  EXPECT_FALSE(comes_up(options({.ca_file = ca.ca_file(), .server_name = "other.example"})));
}

TEST_F(RedisTlsTest, CertificateFromAnotherCaRefused) {
  start();
  TestCa other(nullptr, "other-ca");
  EXPECT_FALSE(comes_up(options({.ca_file = other.ca_file()})));
  // The system trust store does not know the test CA either.
  EXPECT_FALSE(comes_up(options({})));
}

TEST_F(RedisTlsTest, VerifyFalseAcceptsAnyCertificate) {
  start();
  TestCa other(nullptr, "other-ca");
  EXPECT_TRUE(comes_up(
      options({.ca_file = other.ca_file(), .server_name = "other.example", .verify = false})));
}

TEST_F(RedisTlsTest, ClientCertificateForMutualTls) {
  start(/*auth_clients=*/true);
  EXPECT_FALSE(comes_up(options({.ca_file = ca.ca_file()})));
  EXPECT_TRUE(comes_up(options(
      {.ca_file = ca.ca_file(), .cert_file = ca.cert("client"), .key_file = ca.key("client")})));
}

TEST_F(RedisTlsTest, UnreadableCaFileIsAConfigError) {
  config::RedisConfig config;
  config.url = "rediss://127.0.0.1:1/0";
  config.tls.ca_file = "/nonexistent/ca.pem";
  auto options = RedisOptions::from_config(config);
  ASSERT_FALSE(options.ok());
  EXPECT_NE(options.error().message.find("cache.redis.tls.ca_file"), std::string::npos);
}

}  // namespace
}  // namespace yxgate::redis::test
