#include "vendor_text.hpp"

#include <limits>

namespace yxgate::emulator {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c != '%') {
      out += c;
    } else {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    }
  }
  return out;
}

std::optional<std::int64_t> java_parse_long(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  if (text.front() == '+' || text.front() == '-') {
    negative = text.front() == '-';
    text.remove_prefix(1);
    if (text.empty()) return std::nullopt;  // a lone sign is a NumberFormatException
  }
  // Accumulate as a negative number, as Long.parseLong does, so -2^63 fits.
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value < kMin / 10) return std::nullopt;
    value *= 10;
    if (value < kMin + digit) return std::nullopt;
    value -= digit;
  }
  if (negative) return value;
  if (value == kMin) return std::nullopt;
  return -value;
}

Result<std::uint64_t> positive_long(std::string_view text, std::string_view name) {
  const auto value = java_parse_long(text);
  if (!value || *value <= 0) {
    return make_error(std::string(name) + " must be a positive integer (a Java Long)");
  }
  return static_cast<std::uint64_t>(*value);
}

Result<std::uint64_t> non_negative_long(std::string_view text, std::string_view name) {
  const auto value = java_parse_long(text);
  if (!value || *value < 0) {
    return make_error(std::string(name) + " must be a non-negative integer (a Java Long)");
  }
  return static_cast<std::uint64_t>(*value);
}

}  // namespace yxgate::emulator
