// resolve_secrets() and the redacted /config JSON.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "config/config_loader.hpp"
#include "config/redacted_json.hpp"
#include "config/secrets.hpp"

namespace yxgate::config {
namespace {

namespace fs = std::filesystem;

// Sets an environment variable for one test and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const char* value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) {
      ::setenv(name_.c_str(), value, 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

class TempFile {
 public:
  explicit TempFile(const std::string& content)
      : path_(fs::temp_directory_path() /
              ("yxgate_secret_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++))) {
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { fs::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

Config parse_ok(const std::string& yaml) {
  auto cfg = parse_config(yaml);
  EXPECT_TRUE(cfg.ok()) << cfg.error().message;
  return cfg.ok() ? std::move(cfg).value() : Config{};
}

TEST(ConfigSecrets, FromEnvironment) {
  ScopedEnv key("YXT_KEY", "key-from-env");
  ScopedEnv secret("YXT_SECRET", "secret-from-env");
  Config cfg = parse_ok("apps: [{name: a, app_key_env: YXT_KEY, app_secret_env: YXT_SECRET}]\n");
  auto r = resolve_secrets(cfg);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(cfg.apps[0].resolved_app_key, "key-from-env");
  EXPECT_EQ(cfg.apps[0].resolved_app_secret, "secret-from-env");
}

TEST(ConfigSecrets, InlineKeyAndSecretFileWithOneTrailingNewlineStripped) {
  TempFile file("s3cret\n");
  Config cfg =
      parse_ok("apps: [{name: a, app_key: inline-key, app_secret_file: " + file.path() + "}]\n");
  ASSERT_TRUE(resolve_secrets(cfg).ok());
  EXPECT_EQ(cfg.apps[0].resolved_app_key, "inline-key");
  EXPECT_EQ(cfg.apps[0].resolved_app_secret, "s3cret");

  TempFile crlf("abc\r\n");
  cfg.apps[0].app_secret_file = crlf.path();
  ASSERT_TRUE(resolve_secrets(cfg).ok());
  EXPECT_EQ(cfg.apps[0].resolved_app_secret, "abc");

  TempFile two("abc\n\n");  // only one newline is ours to strip
  cfg.apps[0].app_secret_file = two.path();
  ASSERT_TRUE(resolve_secrets(cfg).ok());
  EXPECT_EQ(cfg.apps[0].resolved_app_secret, "abc\n");
}

TEST(ConfigSecrets, MissingEnvNamesKeyPathAndVariable) {
  ScopedEnv key("YXT_KEY", "k");
  ScopedEnv secret("YXT_MISSING_SECRET", nullptr);
  Config cfg = parse_ok(
      "apps:\n  - {name: a, app_key: k, app_secret_env: YXT_KEY}\n"
      "  - {name: b, app_key_env: YXT_KEY, app_secret_env: YXT_MISSING_SECRET}\n");
  auto r = resolve_secrets(cfg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "apps[1].app_secret_env: environment variable YXT_MISSING_SECRET is not set");
  EXPECT_TRUE(cfg.apps[0].resolved_app_secret.empty());  // all or nothing
}

TEST(ConfigSecrets, EmptyEnvAndMissingKeyEnv) {
  ScopedEnv empty("YXT_EMPTY", "");
  ScopedEnv unset("YXT_UNSET", nullptr);
  Config cfg = parse_ok("apps: [{name: a, app_key_env: YXT_UNSET, app_secret_env: YXT_EMPTY}]\n");
  auto r = resolve_secrets(cfg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "apps[0].app_key_env: environment variable YXT_UNSET is not set");
  cfg.apps[0].app_key_env.clear();
  cfg.apps[0].app_key = "k";
  r = resolve_secrets(cfg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "apps[0].app_secret_env: environment variable YXT_EMPTY is empty");
}

TEST(ConfigSecrets, UnreadableOrEmptyFileNamesKeyPathAndPath) {
  Config cfg = parse_ok("apps: [{name: a, app_key: k, app_secret_file: /nonexistent/secret}]\n");
  auto r = resolve_secrets(cfg);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("apps[0].app_secret_file: cannot read /nonexistent/secret"),
            std::string::npos)
      << r.error().message;

  TempFile empty("\n");
  cfg.apps[0].app_secret_file = empty.path();
  r = resolve_secrets(cfg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "apps[0].app_secret_file: " + empty.path() + " is empty");
}

TEST(ConfigRedaction, JsonParsesAndCarriesEffectiveValues) {
  Config cfg = parse_ok("cache: {redis: {url: \"redis://127.0.0.1:6379/0\"}}\n");
  const std::string json = to_redacted_json(cfg);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["server"]["listen"].get_string().value()), "127.0.0.1:8080");
  EXPECT_EQ(std::string_view(doc["server"]["idle_timeout"].get_string().value()), "1m");
  EXPECT_EQ(doc["server"]["max_body_bytes"].get_uint64().value(), 1048576u);
  EXPECT_EQ(doc["server"]["admin_max_connections"].get_uint64().value(), 64u);
  EXPECT_EQ(std::string_view(doc["apps"].at(0)["rate_limits"]["max_wait"].get_string().value()),
            "50ms");
  EXPECT_EQ(doc["apps"].at(0)["rate_limits"]["get_message"]["burst"].get_double().value(), 200);
  EXPECT_EQ(std::string_view(doc["apps"].at(0)["app_secret_env"].get_string().value()),
            "YX_APP_SECRET");
  EXPECT_EQ(std::string_view(doc["apps"].at(0)["app_key"].get_string().value()), "<redacted>");
  EXPECT_EQ(std::string_view(doc["apps"].at(0)["app_key_env"].get_string().value()), "YX_APP_KEY");
  EXPECT_EQ(std::string_view(doc["cache"]["ttl"].get_string().value()), "1h");
  EXPECT_EQ(doc["cache"]["local"]["max_bytes"].get_uint64().value(), 64u << 20);
  EXPECT_EQ(std::string_view(doc["cache"]["redis"]["url"].get_string().value()),
            "redis://127.0.0.1:6379/0");
  EXPECT_EQ(std::string_view(doc["coalesce"]["window"].get_string().value()), "2ms");
  EXPECT_TRUE(doc["upstream"]["backup_url"].is_null());
  EXPECT_EQ(doc["clients"].get_array().size(), 0u);
}

TEST(ConfigRedaction, NeverShowsSecretsPasswordsOrTokenHashes) {
  const std::string token = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  TempFile secret_file("file-secret-value\n");
  ScopedEnv env_secret("YXT_SECRET2", "env-secret-value");
  Config cfg = parse_ok(R"(
server: {listen: "0.0.0.0:8080"}
apps:
  - {name: a, app_key: inline-app-key, app_secret_file: )" +
                        secret_file.path() + R"(}
  - {name: b, app_key: k2, app_secret_env: YXT_SECRET2}
cache: {redis: {url: "redis://:redis-pass-word@redis:6379/1"}}
clients:
  - {name: "bill\"ing\\x", token_sha256: )" +
                        token + R"(, allow: ["GET /im/v2/**"]}
)");
  ASSERT_TRUE(resolve_secrets(cfg).ok());
  const std::string json = to_redacted_json(cfg);
  for (const char* leaked : {"file-secret-value", "env-secret-value", "inline-app-key",
                             "redis-pass-word", token.c_str(), "9F86D081"}) {
    EXPECT_EQ(json.find(leaked), std::string::npos) << leaked << " in " << json;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["apps"].at(0)["app_key"].get_string().value()), "<redacted>");
  EXPECT_EQ(std::string_view(doc["apps"].at(0)["app_secret_file"].get_string().value()),
            secret_file.path());
  EXPECT_EQ(std::string_view(doc["clients"].at(0)["name"].get_string().value()), "bill\"ing\\x");
  EXPECT_EQ(std::string_view(doc["apps"].at(1)["app_secret_env"].get_string().value()),
            "YXT_SECRET2");
  EXPECT_EQ(std::string_view(doc["cache"]["redis"]["url"].get_string().value()),
            "redis://:***@redis:6379/1");
  EXPECT_EQ(std::string_view(doc["clients"].at(0)["token_sha256"].get_string().value()),
            "<redacted>");
  EXPECT_EQ(std::string_view(doc["clients"].at(0)["allow"].at(0).get_string().value()),
            "GET /im/v2/**");
}

}  // namespace
}  // namespace yxgate::config
