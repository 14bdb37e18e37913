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
constexpr std::array<bool, 256> kUrlChars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (const char c : std::string_view("-._~!$&'()*+,=:@/%|")) {
    table[static_cast<unsigned char>(c)] = true;
  }
  return table;
}();

bool url_char(unsigned char c) { return kUrlChars[c]; }

bool forbidden_escape(char hi, char lo) {
  const auto h = static_cast<char>(std::toupper(static_cast<unsigned char>(hi)));
  const auto l = static_cast<char>(std::toupper(static_cast<unsigned char>(lo)));
  return (h == '2' && (l == 'F' || l == 'E' || l == '5')) || (h == '3' && l == 'B') ||
         (h == '5' && l == 'C') || (h == '0') || (h == '1') || (h == '7' && l == 'F');
}

}  // namespace

Result<bool> check_path(std::string_view path) {
  if (!path.starts_with('/')) return make_error("path must start with /");
  std::size_t segment_start = 1;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto c = static_cast<unsigned char>(path[i]);
    if (!url_char(c)) {
      return make_error(c == ';' ? "';' (a path parameter) in path"
                                 : "character not allowed in path");
    }
    if (c == '%') {
      if (i + 2 >= path.size() || !std::isxdigit(static_cast<unsigned char>(path[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(path[i + 2]))) {
        return make_error("bad percent-encoding in path");
      }
      if (forbidden_escape(path[i + 1], path[i + 2])) {
        return make_error("encoded '/', '.', ';', '\\\\', '%' or control character in path");
      }
    }
    if (c == '/' && i > 0) {
      const auto segment = path.substr(segment_start, i - segment_start);
      if (segment.empty()) return make_error("empty path segment");
      if (segment == "." || segment == "..") return make_error("dot segment in path");
      segment_start = i + 1;
    }
  }
  const auto last = path.substr(segment_start);
  if (last == "." || last == "..") return make_error("dot segment in path");
  // A trailing '/' is an empty last segment: a stack that drops empty
  // segments (or matches with a trailing slash, as Spring MVC did by
  // default) runs `.../messages/?type=1` as the clear `.../messages`, which
  // the gateway would relay as an unrouted pass-through without
  // invalidating. No vendor path ends in '/'.
  if (last.empty() && path.size() > 1) return make_error("empty path segment (trailing '/')");
  return true;
}

}  // namespace yxgate::router
