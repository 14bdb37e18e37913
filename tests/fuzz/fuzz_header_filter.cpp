// libFuzzer target: hop-by-hop and client-only header removal (issue 13).
// Input: a request head as a client sends it (Beast's parser reads it, so
// the fields are what the gateway would hold). Oracle, computed apart:
//  - after remove_hop_by_hop: no hop-by-hop field (RFC 9110 §7.6.1, plus
//    Content-Length), no field any Connection header names, and every other
//    field present, in order, with its value unchanged;
//  - after remove_client_only too: no signing/auth/Host/Expect/X-Yxgate-App.
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "upstream/header_filter.hpp"

namespace {
namespace http = boost::beast::http;
using Fields = std::vector<std::pair<std::string, std::string>>;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

Fields list(const http::fields& fields) {
  Fields out;
  for (const auto& f : fields) out.emplace_back(f.name_string(), f.value());
  return out;
}

// Lower-cased tokens of every Connection field (comma list, OWS trimmed).
std::set<std::string> connection_tokens(const Fields& fields) {
  std::set<std::string> out;
  for (const auto& [name, value] : fields) {
    if (lower(name) != "connection") continue;
    std::size_t start = 0;
    while (start <= value.size()) {
      auto end = value.find(',', start);
      if (end == std::string::npos) end = value.size();
      auto token = std::string_view(value).substr(start, end - start);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
        token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
        token.remove_suffix(1);
      if (!token.empty()) out.insert(lower(token));
      start = end + 1;
    }
  }
  return out;
}

Fields without(const Fields& fields, const std::set<std::string>& names) {
  Fields out;
  for (const auto& f : fields) {
    if (!names.contains(lower(f.first))) out.push_back(f);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::empty_body> parser;
  parser.eager(false);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  const Fields original = list(parser.get().base());

  std::set<std::string> hop{"connection",
                            "keep-alive",
                            "proxy-connection",
                            "proxy-authenticate",
                            "proxy-authorization",
                            "te",
                            "trailer",
                            "transfer-encoding",
                            "upgrade",
                            "content-length"};
  for (const auto& token : connection_tokens(original)) hop.insert(token);
  const Fields after_hop = without(original, hop);

  http::fields fields = parser.get().base();
  yxgate::upstream::remove_hop_by_hop(fields);
  if (list(fields) != after_hop) __builtin_trap();

  const std::set<std::string> client_only{"appkey",        "nonce", "curtime", "checksum",
                                          "authorization", "host",  "expect",  "x-yxgate-app"};
  yxgate::upstream::remove_client_only(fields);
  if (list(fields) != without(after_hop, client_only)) __builtin_trap();
  return 0;
}
