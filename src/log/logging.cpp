#include "log/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace yxgate::log {

void configure(std::string_view format, std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("yxgate");
  if (format == "json") {
    // Messages logged through spdlog are pre-escaped JSON fragments
    // ("\"event\":\"...\",..."), so the pattern only wraps them.
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  }
  spdlog::set_default_logger(logger);
  set_level(level);
  spdlog::flush_on(spdlog::level::warn);
}

void set_level(std::string_view level) {
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
}

}  // namespace yxgate::log
