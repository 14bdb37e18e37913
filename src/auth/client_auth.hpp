#pragma once
// Access control of SPEC §6: bearer tokens (stored as SHA-256 hex, compared
// in constant time) and per-client allowlists of "METHOD /path/pattern",
// where `*` matches one path segment and `**` the rest of the path. Pure
// logic, matched on the raw (still percent-encoded) path.
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace yxgate::auth {

enum class Verdict { kAllowed, kUnauthenticated, kForbidden };

struct AuthResult {
  Verdict verdict = Verdict::kAllowed;
  std::string_view client;  // the matched client's name (empty when none)
};

class ClientAuthorizer {
 public:
  explicit ClientAuthorizer(const std::vector<config::ClientConfig>& clients);

  // No clients configured: everyone is the app (a loopback sidecar).
  bool enabled() const { return !clients_.empty(); }

  // `authorization` is the Authorization header value ("" when absent).
  AuthResult check(std::string_view authorization, std::string_view method,
                   std::string_view path) const;

 private:
  struct Rule {
    std::string method;  // "GET" ... or "*"
    std::vector<std::string> segments;
  };
  struct Client {
    std::string name;
    std::string token_sha256;
    std::vector<Rule> rules;
  };
  std::vector<Client> clients_;
};

// `*` = one segment, `**` = zero or more segments. Exposed for tests.
bool path_matches(const std::vector<std::string>& pattern, std::string_view path);
std::vector<std::string> split_path(std::string_view path);

}  // namespace yxgate::auth
