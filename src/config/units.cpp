#include "config/units.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace yxgate::config {
namespace {

struct Unit {
  std::string_view suffix;
  double factor;
};

// Splits "12.5MiB" into 12.5 and "MiB". Rejects signs, exponents, spaces.
std::optional<std::pair<double, std::string_view>> split_number(std::string_view text) {
  std::size_t i = 0;
  bool digits = false;
  bool dot = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return std::nullopt;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, value);
  if (ec != std::errc{} || ptr != text.data() + i || !std::isfinite(value)) return std::nullopt;
  return std::pair{value, text.substr(i)};
}

// value * factor if it is a whole number that fits; nullopt otherwise.
std::optional<std::uint64_t> scale_exact(double value, double factor, double max) {
  const double scaled = value * factor;
  if (scaled > max || scaled != std::floor(scaled)) return std::nullopt;
  return static_cast<std::uint64_t>(scaled);
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  static constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}};
  const auto split = split_number(text);
  if (!split) return std::nullopt;
  const auto [value, suffix] = *split;
  if (suffix.empty()) {
    // A bare number is ambiguous (seconds? ms?); only zero means the same in every unit.
    if (value == 0) return Duration{0};
    return std::nullopt;
  }
  for (const auto& unit : kUnits) {
    if (suffix != unit.suffix) continue;
    // Cap at ~100 years: anything bigger is a typo, and it keeps the arithmetic exact.
    const auto ms = scale_exact(value, unit.factor, 100.0 * 365 * 24 * 3600e3);
    if (!ms) return std::nullopt;
    return Duration{static_cast<Duration::rep>(*ms)};
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  static constexpr Unit kUnits[] = {
      {"", 1}, {"KiB", 1024.0}, {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024}};
  const auto split = split_number(text);
  if (!split) return std::nullopt;
  const auto [value, suffix] = *split;
  for (const auto& unit : kUnits) {
    if (suffix != unit.suffix) continue;
    // 2^53 keeps doubles exact; a larger byte count is not a real setting.
    return scale_exact(value, unit.factor, 9007199254740992.0);
  }
  return std::nullopt;
}

std::string format_duration(Duration d) {
  const auto ms = d.count();
  if (ms == 0) return "0s";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1'000 == 0) return std::to_string(ms / 1'000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace yxgate::config
