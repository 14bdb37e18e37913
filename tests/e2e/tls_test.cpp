// https:// upstreams (issue 2 §5): peer verification against the trust
// store, SNI and hostname checks, with `openssl s_server` as a real TLS peer.
// OpenSSL's default verify paths honour SSL_CERT_FILE, which is how the test
// makes its throw-away CA trusted by yxgate.
#include <cstdlib>
#include <fstream>
#include <thread>

#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {
namespace {

constexpr std::string_view kBody = R"({"code":200,"msg":"success","data":{"tls":true}})";

void run_or_throw(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("failed: " + command);
  }
}

class TlsUpstream : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_shared<TestDir>();
    const auto d = dir_->path().string();
    run_or_throw("cd " + d +
                 " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem"
                 " -days 2 -subj '/CN=yxgate test CA'");
    make_cert("good", "DNS:localhost,IP:127.0.0.1");
    make_cert("other", "DNS:other.example");
    std::filesystem::create_directories(dir_->path() / "www/im/v2");
    std::ofstream(dir_->path() / "www/im/v2/tls-check") << kBody;
  }

  void make_cert(const std::string& name, const std::string& san) {
    const auto d = dir_->path().string();
    std::ofstream(dir_->path() / (name + ".ext")) << "subjectAltName=" << san << "\n";
    run_or_throw("cd " + d + " && openssl req -newkey rsa:2048 -nodes -keyout " + name +
                 ".key -out " + name + ".csr -subj '/CN=" + name + "' && openssl x509 -req -in " +
                 name + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " + name +
                 ".pem -days 2 -extfile " + name + ".ext");
  }

  // Starts `openssl s_server -WWW` (serves files over HTTPS) with `cert`.
  std::uint16_t start_server(const std::string& cert) {
    const auto port = free_port();
    const auto d = dir_->path().string();
    server_ = std::make_unique<ChildProcess>(ChildOptions{
        .binary = "/bin/sh",
        .args = {"-c", "cd " + d + "/www && exec openssl s_server -WWW -quiet -accept 127.0.0.1:" +
                           std::to_string(port) + " -cert ../" + cert + ".pem -key ../" + cert +
                           ".key"},
        .name = "s_server",
        .dir = dir_,
        .expect_clean_exit = false});  // openssl's exit code on SIGTERM is not ours to judge
    // Ready once it accepts TCP connections.
    for (int i = 0; i < 400; ++i) {
      if (accepts(port)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return port;
  }

  static bool accepts(std::uint16_t port) {
    return request(port, "GET", "/", {}, {}, std::chrono::milliseconds(100))
               .error.rfind("connect", 0) != 0;
  }

  GatewayProcess start_gateway(std::uint16_t port, bool trust_ca, std::string upstream_yaml = "") {
    GatewayOptions options{.upstream_url = "https://localhost:" + std::to_string(port),
                           .upstream_yaml = std::move(upstream_yaml),
                           .dir = dir_};
    if (trust_ca) options.env = {{"SSL_CERT_FILE", (dir_->path() / "ca.pem").string()}};
    return GatewayProcess(options);
  }

  std::shared_ptr<TestDir> dir_;
  std::unique_ptr<ChildProcess> server_;
};

TEST_F(TlsUpstream, TrustedCertificateForTheHostIsAccepted) {
  auto gateway = start_gateway(start_server("good"), /*trust_ca=*/true);
  const auto res = request(gateway.port(), "GET", "/im/v2/tls-check");
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, kBody);
}

TEST_F(TlsUpstream, UntrustedCertificateIsRejectedWith502) {
  auto gateway = start_gateway(start_server("good"), /*trust_ca=*/false);
  const auto res = request(gateway.port(), "GET", "/im/v2/tls-check");
  EXPECT_EQ(res.status, 502);
  EXPECT_EQ(res.header("X-Yxgate-Error"), "upstream_connect_failed");
  EXPECT_NE(gateway.log().find("certificate verify failed"), std::string::npos);
}

TEST_F(TlsUpstream, CertificateForAnotherHostIsRejectedWith502) {
  auto gateway = start_gateway(start_server("other"), /*trust_ca=*/true);
  const auto res = request(gateway.port(), "GET", "/im/v2/tls-check");
  EXPECT_EQ(res.status, 502) << res.body;
}

TEST_F(TlsUpstream, VerificationCanBeTurnedOff) {
  auto gateway = start_gateway(start_server("other"), /*trust_ca=*/false, "  tls_verify: false\n");
  const auto res = request(gateway.port(), "GET", "/im/v2/tls-check");
  EXPECT_EQ(res.status, 200) << res.body;
}

}  // namespace
}  // namespace yxgate::testing
