// libFuzzer target: handling of upstream JSON (issue 7): single and batch
// replies, client batch bodies and message objects, hostile or truncated.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cache/cached_message.hpp"
#include "cache/upstream_reply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yxgate::cache;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto single = parse_single_reply(body); single && single->code == 200) {
    if (auto facts = extract_facts(single->data_json)) {
      auto entry = make_positive_entry(single->data_json, *facts);
      (void)single_message_body(entry);
    }
  }
  if (auto batch = parse_batch_reply(body)) {
    for (const auto& json : batch->success_json) (void)extract_facts(json);
    for (const auto& failed : batch->failed) (void)failed_item_body(failed);
  }
  if (auto items = parse_batch_request(body)) (void)make_batch_request(*items);
  (void)extract_facts(body);
  return 0;
}
