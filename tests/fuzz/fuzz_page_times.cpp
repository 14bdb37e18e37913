// libFuzzer target: learning create_times from relayed pages (SPEC §11.5).
// Upstream's page bodies, hostile or truncated, must never crash the reader,
// and every pair it learns must be numbers that are in the body: a learned
// time that upstream never sent would turn a right answer into 107404.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cache/page_times.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yxgate::cache;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const auto& time : read_message_times(body)) {
    if (body.find(std::to_string(time.message_server_id)) == std::string_view::npos ||
        body.find(std::to_string(time.create_time)) == std::string_view::npos) {
      std::abort();  // learned a number the page does not hold
    }
  }
  // The first line as "METHOD PATH": the route check on arbitrary text.
  const auto line = body.substr(0, body.find('\n'));
  const auto space = line.find(' ');
  if (space != std::string_view::npos) {
    (void)page_carries_message_times(line.substr(0, space), line.substr(space + 1));
  }
  return 0;
}
