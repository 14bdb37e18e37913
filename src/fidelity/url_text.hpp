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

// Parses an application/x-www-form-urlencoded query. Empty pairs ("a=1&&b")
// are skipped as the servlet API does. A name given twice is refused: Java
// frameworks disagree on which one counts.
Result<std::vector<QueryParam>> parse_query(std::string_view query);

}  // namespace yxgate::fidelity
