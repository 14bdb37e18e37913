// libFuzzer target: configuration parsing and validation (issue 7). Any
// text must give a Config or an error naming a key path; never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config_loader.hpp"
#include "config/redacted_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = yxgate::config::parse_config(text);
  if (config) {
    (void)yxgate::config::to_redacted_json(*config);
  } else if (config.error().message.empty()) {
    __builtin_trap();  // every error must say what is wrong
  }
  return 0;
}
