#pragma once
// What the coalescing core exchanges with the lane a call leaves from
// (lane.hpp): one batch call (the items of one (app, conversation) and the
// lane that sends it) and what it got, per item. Parsing upstream's reply is
// the lane's job.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cache/upstream_reply.hpp"
#include "router/conversation_id.hpp"

namespace yxgate::coalesce {

class Lane;

// The answer of a call that failed as a whole, relayed to every waiter. The
// sender defines it (the pipeline: an UpstreamReply); the core only passes
// the pointer on.
struct CallFailure;

struct ItemResult {
  enum class Kind { kMessage, kFailed, kBatchFailed };
  Kind kind = Kind::kBatchFailed;
  std::string message_json;                  // kMessage: verbatim
  cache::FailedItem failed;                  // kFailed: the failed_list entry
  std::shared_ptr<const CallFailure> batch;  // kBatchFailed: the whole call's answer
  bool malformed = false;       // kBatchFailed: a 200 we could not parse (batch may be null)
  bool not_found_said = false;  // kFailed: upstream's own 107404 (cacheable, SPEC §3.1.6)
  bool shared = false;          // set by the core: the call also served another client
  // Set by the core on one item of one client per call that went upstream
  // (the first registered): its access line counts the call, so that the
  // lines' upstream_calls add up to the calls made (SPEC §10).
  bool counts_call = false;
  std::string batch_trace_id;  // set by the core from BatchOutcome::trace_id

  // Upstream's single-message GET body for a kMessage / kFailed item.
  std::string single_message_body() const;
};

struct BatchCall {
  Lane* lane = nullptr;              // the worker that sends it and writes its fills
  std::uint32_t app = 0;             // index of the app in config `apps`
  std::string encoded_conversation;  // the path segment as the first client sent it
  router::ConversationId conversation;
  std::vector<cache::BatchItem> items;  // distinct (id, create_time), each with create_time
};

struct BatchOutcome {
  std::vector<ItemResult> results;  // one per BatchCall::items entry, same order
  bool called_upstream = true;      // false: refused before it left (own rate limit)
  std::string trace_id;             // the call's own trace id (SPEC §2)
};

}  // namespace yxgate::coalesce
