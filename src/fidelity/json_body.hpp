#pragma once
// Reading the JSON bodies of the parsed routes the way upstream's Java JSON
// library does (SPEC §11.1): keys are compared after their escapes are
// decoded; a key given twice in one object (the Java side keeps the last, a
// hand-rolled reader may keep the first) is refused, so no two readings of
// an accepted body can differ. Error texts follow "parameter error: ". Pure.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cache/upstream_reply.hpp"
#include "common/result.hpp"

namespace yxgate::fidelity {

// Upstream's own limit on one batch_messages call.
inline constexpr std::size_t kMaxBatchItems = 100;

// {"messages":[{"message_server_id":N,"create_time":T},...]}: 1 to 100
// items, each with both fields (upstream refuses the whole call otherwise,
// so one such item must never ride in a batch with other clients' items).
Result<std::vector<cache::BatchItem>> read_batch_body(std::string_view body);

struct ModifyBody {
  std::uint64_t message_server_id = 0;  // message.message_server_id
  std::string canonical;                // the body as forwarded: minified, keys unescaped
};

// {"message":{"message_server_id":N,...},...}.
Result<ModifyBody> read_modify_body(std::string_view body);

}  // namespace yxgate::fidelity
