#pragma once
// Reading URL text the way upstream's Java stack does (SPEC §11.1): path
// segments and query names/values percent-decoded (UTF-8), '+' a space in
// queries; and writing the one canonical form the gateway forwards. Pure.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace yxgate::fidelity {

// Percent-decodes a path segment ('+' stays '+'). Fails on a bad escape or
// on bytes that are not UTF-8: Java would read those as U+FFFD, so two
// different requests could mean the same thing upstream.
Result<std::string> decode_path_segment(std::string_view text);

// As a query name or value: '+' is a space, then percent-decoding.
Result<std::string> decode_query_component(std::string_view text);

// Everything but RFC 3986 unreserved characters percent-encoded (upper-case
// hex): the canonical form of a path segment and of a query name or value.
std::string encode_component(std::string_view text);

bool valid_utf8(std::string_view text);

struct QueryParam {
  std::string name;
  std::string value;
  bool has_value = false;  // "name=" vs "name"
};

// Calls visit(name, value, has_value) for each parameter of a query in
// order, both decoded (views into `query` when nothing needed decoding, so
// the hit path allocates nothing); empty pairs are skipped. Stops at the
// first error, a bad encoding or one `visit` returned.
template <class Visit>
Result<bool> for_each_query_param(std::string_view query, Visit&& visit);

// Parses an application/x-www-form-urlencoded query. Empty pairs ("a=1&&b")
// are skipped as the servlet API does. A name given twice is refused: Java
// frameworks disagree on which one counts.
Result<std::vector<QueryParam>> parse_query(std::string_view query);

namespace detail {
// `text` decoded into `buffer` (returned as a view of it), or `text` itself.
Result<std::string_view> query_component(std::string_view text, std::string& buffer);
}  // namespace detail

template <class Visit>
Result<bool> for_each_query_param(std::string_view query, Visit&& visit) {
  std::string name_buffer;
  std::string value_buffer;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = detail::query_component(pair.substr(0, eq), name_buffer);
    if (!name) return make_error("query parameter name: " + name.error().message);
    const bool has_value = eq != std::string_view::npos;
    std::string_view value;
    if (has_value) {
      auto decoded = detail::query_component(pair.substr(eq + 1), value_buffer);
      if (!decoded) return make_error(std::string(*name) + ": " + decoded.error().message);
      value = *decoded;
    }
    auto visited = visit(*name, value, has_value);
    if (!visited) return visited;
  }
  return true;
}

}  // namespace yxgate::fidelity
