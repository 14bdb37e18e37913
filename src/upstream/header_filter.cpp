#include "upstream/header_filter.hpp"

#include <boost/beast/core/string.hpp>
#include <string>
#include <vector>

namespace yxgate::upstream {
namespace http = boost::beast::http;

namespace {

void erase_all(http::fields& fields, std::initializer_list<std::string_view> names) {
  for (auto name : names) fields.erase(name);
}

}  // namespace

void remove_hop_by_hop(http::fields& fields) {
  std::vector<std::string> named;
  for (auto it = fields.find(http::field::connection);
       it != fields.end() && it->name() == http::field::connection; ++it) {
    std::string_view value = it->value();
    while (!value.empty()) {
      const auto comma = value.find(',');
      auto token = value.substr(0, comma);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
        token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
        token.remove_suffix(1);
      if (!token.empty()) named.emplace_back(token);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  for (const auto& name : named) fields.erase(name);
  erase_all(fields, {"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
                     "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
                     "Content-Length"});
}

void remove_client_only(http::fields& fields) {
  erase_all(fields, {"AppKey", "Nonce", "CurTime", "CheckSum", "Authorization", "Host", "Expect",
                     "X-Yxgate-App"});
}

}  // namespace yxgate::upstream
