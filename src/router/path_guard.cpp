#include "router/path_guard.hpp"

#include <array>
#include <cctype>
#include <string_view>

namespace yxgate::router {
namespace {

// RFC 3986 pchar plus '/': unreserved, sub-delims, ':', '@', '%' and '|'
// (clients send conversation ids with a raw '|' too), less ';'. A table:
// every request's path is checked byte by byte.
//
// ';' starts a path parameter on a Java servlet stack: Tomcat routes
// `/modifyMsg;x` as `/modifyMsg` and `/chatrooms/..;/messages` as
// `/messages`, where the gateway would see another route (a mutation
// relayed without invalidating, an allowlist matched on the wrong path).
// No vendor path or account id contains one.
enum CharClass : unsigned char { kBad, kPlain, kPercent, kSlash, kDot, kSemicolon };

constexpr std::array<CharClass, 256> kClasses = [] {
  std::array<CharClass, 256> table{};  // kBad
  for (int c = '0'; c <= '9'; ++c) table[c] = kPlain;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = kPlain;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = kPlain;
  for (const char c : std::string_view("-_~!$&'()*+,=:@|")) {
    table[static_cast<unsigned char>(c)] = kPlain;
  }
  table['%'] = kPercent;
  table['/'] = kSlash;
  table['.'] = kDot;
  table[';'] = kSemicolon;
  return table;
}();

bool forbidden_escape(char hi, char lo) {
  const auto h = static_cast<char>(std::toupper(static_cast<unsigned char>(hi)));
  const auto l = static_cast<char>(std::toupper(static_cast<unsigned char>(lo)));
  return (h == '2' && (l == 'F' || l == 'E' || l == '5')) || (h == '3' && l == 'B') ||
         (h == '5' && l == 'C') || (h == '0') || (h == '1') || (h == '7' && l == 'F');
}

// "", "." and "..": a segment that makes two parsers disagree. Segments are
// told apart by length and dots alone (every path is checked: a table pass,
// no substrings).
Result<bool> check_segment(std::size_t length, std::size_t dots) {
  if (length == 0) return make_error("empty path segment");
  if (dots == length && length <= 2) return make_error("dot segment in path");
  return true;
}

}  // namespace

Result<bool> check_path(std::string_view path) {
  if (!path.starts_with('/')) return make_error("path must start with /");
  std::size_t length = 0;  // of the segment being read
  std::size_t dots = 0;    // '.' in it
  for (std::size_t i = 1; i < path.size(); ++i) {
    switch (kClasses[static_cast<unsigned char>(path[i])]) {
      case kPlain:
        ++length;
        break;
      case kDot:
        ++length;
        ++dots;
        break;
      case kSlash:
        if (auto segment = check_segment(length, dots); !segment) return segment;
        length = dots = 0;
        break;
      case kPercent:
        if (i + 2 >= path.size() || !std::isxdigit(static_cast<unsigned char>(path[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(path[i + 2]))) {
          return make_error("bad percent-encoding in path");
        }
        if (forbidden_escape(path[i + 1], path[i + 2])) {
          return make_error("encoded '/', '.', ';', '\\\\', '%' or control character in path");
        }
        length += 3;
        i += 2;
        break;
      case kSemicolon:
        return make_error("';' (a path parameter) in path");
      case kBad:
        return make_error("character not allowed in path");
    }
  }
  if (path.size() == 1) return true;  // "/"
  // A trailing '/' is an empty last segment: a stack that drops empty
  // segments (or matches with a trailing slash, as Spring MVC did by
  // default) runs `.../messages/?type=1` as the clear `.../messages`, which
  // the gateway would relay as an unrouted pass-through without
  // invalidating. No vendor path ends in '/'.
  if (length == 0) return make_error("empty path segment (trailing '/')");
  return check_segment(length, dots);
}

}  // namespace yxgate::router
