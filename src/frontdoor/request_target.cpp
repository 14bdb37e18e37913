#include "frontdoor/request_target.hpp"

namespace yxgate::frontdoor {
namespace {

bool equals_lowercase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] + 32) : text[i];
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> origin_form_of(std::string_view target) {
  const auto scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const auto scheme = target.substr(0, scheme_end);
  if (!equals_lowercase(scheme, "http") && !equals_lowercase(scheme, "https")) return std::nullopt;
  const auto rest = target.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  if (authority_end == std::string_view::npos) return std::string("/");
  const auto path_and_query = rest.substr(authority_end);
  if (path_and_query.front() == '/') return std::string(path_and_query);
  return "/" + std::string(path_and_query);
}

}  // namespace yxgate::frontdoor
