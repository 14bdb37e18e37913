#include "auth/client_auth.hpp"

#include <openssl/sha.h>

#include <array>

#include "signing/signer.hpp"

namespace yxgate::auth {
namespace {

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

bool segments_match(const std::vector<std::string>& pattern, std::size_t p,
                    const std::vector<std::string>& path, std::size_t s) {
  if (p == pattern.size()) return s == path.size();
  if (pattern[p] == "**") {
    for (std::size_t rest = s; rest <= path.size(); ++rest) {
      if (segments_match(pattern, p + 1, path, rest)) return true;
    }
    return false;
  }
  if (s == path.size()) return false;
  if (pattern[p] == "*") return !path[s].empty() && segments_match(pattern, p + 1, path, s + 1);
  return pattern[p] == path[s] && segments_match(pattern, p + 1, path, s + 1);
}

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    // The scheme is case-insensitive (RFC 9110 §11.1).
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return {};
    }
  }
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

}  // namespace

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    segments.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool path_matches(const std::vector<std::string>& pattern, std::string_view path) {
  return segments_match(pattern, 0, split_path(path), 0);
}

ClientAuthorizer::ClientAuthorizer(const std::vector<config::ClientConfig>& clients) {
  for (const auto& c : clients) {
    Client client{c.name, c.token_sha256, {}};
    for (const auto& allow : c.allow) {
      const auto space = allow.find(' ');
      Rule rule;
      rule.method = allow.substr(0, space);
      rule.segments = split_path(space == std::string::npos ? "" : allow.substr(space + 1));
      client.rules.push_back(std::move(rule));
    }
    clients_.push_back(std::move(client));
  }
}

AuthResult ClientAuthorizer::check(std::string_view authorization, std::string_view method,
                                   std::string_view path) const {
  if (!enabled()) return {};
  const auto token = bearer_token(authorization);
  if (token.empty()) return {Verdict::kUnauthenticated, {}};
  const auto hash = sha256_hex(token);
  // Compare against every client without stopping early: timing says nothing.
  const Client* found = nullptr;
  for (const auto& client : clients_) {
    if (signing::constant_time_equal(hash, client.token_sha256)) found = &client;
  }
  if (!found) return {Verdict::kUnauthenticated, {}};
  for (const auto& rule : found->rules) {
    if ((rule.method == "*" || rule.method == method) && path_matches(rule.segments, path)) {
      return {Verdict::kAllowed, found->name};
    }
  }
  return {Verdict::kForbidden, found->name};
}

}  // namespace yxgate::auth
