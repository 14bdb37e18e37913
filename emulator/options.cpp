#include "options.hpp"

#include <charconv>
#include <string_view>

namespace yxgate::emulator {
namespace {

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Result<Options> parse_options(int argc, const char* const* argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      options.help = true;
      continue;
    }
    if (flag == "--gzip" || flag == "--chunked") {
      (flag == "--gzip" ? options.gzip : options.chunked) = true;
      continue;
    }
    if (i + 1 >= argc) return make_error(std::string(flag) + ": missing value or unknown flag");
    const std::string_view value = argv[++i];
    if (flag == "--listen") {
      const auto colon = value.rfind(':');
      if (colon == std::string_view::npos || colon == 0 ||
          !parse_number(value.substr(colon + 1), options.port)) {
        return make_error("--listen must be HOST:PORT");
      }
      options.host = std::string(value.substr(0, colon));
    } else if (flag == "--app") {
      const auto colon = value.find(':');
      if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size()) {
        return make_error("--app must be KEY:SECRET");
      }
      options.apps[std::string(value.substr(0, colon))] = std::string(value.substr(colon + 1));
    } else if (flag == "--threads") {
      if (!parse_number(value, options.threads) || options.threads < 1 || options.threads > 64) {
        return make_error("--threads must be 1 to 64");
      }
    } else if (flag == "--idle-timeout-ms") {
      if (!parse_number(value, options.idle_timeout_ms) || options.idle_timeout_ms < 1) {
        return make_error("--idle-timeout-ms must be a positive integer");
      }
    } else if (flag == "--seed") {
      if (!parse_number(value, options.seed)) return make_error("--seed must be an integer");
    } else {
      return make_error("unknown flag " + std::string(flag));
    }
  }
  if (options.apps.empty()) options.apps["demo-app-key"] = "demo-app-secret";
  return options;
}

}  // namespace yxgate::emulator
