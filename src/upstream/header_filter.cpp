#include "upstream/header_filter.hpp"

#include <boost/beast/core/string.hpp>
#include <string>
#include <vector>

namespace yxgate::upstream {
namespace http = boost::beast::http;

bool is_hop_by_hop(http::field name) {
  switch (name) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::proxy_authenticate:
    case http::field::proxy_authorization:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
    case http::field::content_length:
      return true;
    default:
      return false;
  }
}

bool is_client_only(http::field field, std::string_view name) {
  switch (field) {
    case http::field::authorization:
    case http::field::host:
    case http::field::expect:
      return true;
    case http::field::unknown:
      // Beast knows none of these names: compared as text, as erase() did.
      return boost::beast::iequals(name, "AppKey") || boost::beast::iequals(name, "Nonce") ||
             boost::beast::iequals(name, "CurTime") || boost::beast::iequals(name, "CheckSum") ||
             boost::beast::iequals(name, "X-Yxgate-App");
    default:
      return false;
  }
}

bool is_gateway_owned(std::string_view name) {
  constexpr std::string_view kPrefix = "x-yxgate-";
  return name.size() >= kPrefix.size() &&
         boost::beast::iequals(name.substr(0, kPrefix.size()), kPrefix);
}

void remove_hop_by_hop(http::fields& fields) {
  // Copied: erasing a Connection field frees the text its tokens point into.
  std::vector<std::string> named;
  for (const auto& field : fields) {
    if (field.name() != http::field::connection) continue;
    for_each_connection_token(field.value(),
                              [&](std::string_view token) { named.emplace_back(token); });
  }
  for (auto it = fields.begin(); it != fields.end();) {
    bool drop = is_hop_by_hop(it->name());
    for (std::size_t i = 0; !drop && i < named.size(); ++i) {
      drop = boost::beast::iequals(it->name_string(), named[i]);
    }
    it = drop ? fields.erase(it) : std::next(it);
  }
}

void remove_client_only(http::fields& fields) {
  for (auto it = fields.begin(); it != fields.end();) {
    it = is_client_only(it->name(), it->name_string()) ? fields.erase(it) : std::next(it);
  }
}

}  // namespace yxgate::upstream
