#include "config/secrets.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace yxgate::config {
namespace {

Result<std::string> from_env(const std::string& path, const std::string& var) {
  const char* value = std::getenv(var.c_str());
  if (value == nullptr) return make_error(path + ": environment variable " + var + " is not set");
  if (*value == '\0') return make_error(path + ": environment variable " + var + " is empty");
  return std::string(value);
}

Result<std::string> from_file(const std::string& path, const std::string& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    return make_error(path + ": cannot read " + file + ": is a directory");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(path + ": cannot read " + file + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  // Files written by `echo` or editors end in a newline that is not part of the secret.
  if (value.ends_with("\r\n")) {
    value.resize(value.size() - 2);
  } else if (value.ends_with('\n')) {
    value.pop_back();
  }
  if (value.empty()) return make_error(path + ": " + file + " is empty");
  return value;
}

}  // namespace

Result<std::monostate> resolve_secrets(Config& cfg) {
  std::vector<std::pair<std::string, std::string>> resolved;  // key, secret per app
  for (std::size_t i = 0; i < cfg.apps.size(); ++i) {
    const AppConfig& app = cfg.apps[i];
    const std::string path = "apps[" + std::to_string(i) + "]";
    auto key = app.app_key.empty() ? from_env(path + ".app_key_env", app.app_key_env)
                                   : Result<std::string>(app.app_key);
    if (!key) return key.error();
    auto secret = app.app_secret_file.empty()
                      ? from_env(path + ".app_secret_env", app.app_secret_env)
                      : from_file(path + ".app_secret_file", app.app_secret_file);
    if (!secret) return secret.error();
    resolved.emplace_back(std::move(key).value(), std::move(secret).value());
  }
  for (std::size_t i = 0; i < cfg.apps.size(); ++i) {
    cfg.apps[i].resolved_app_key = std::move(resolved[i].first);
    cfg.apps[i].resolved_app_secret = std::move(resolved[i].second);
  }
  return std::monostate{};
}

}  // namespace yxgate::config
