#pragma once
// The one place that turns a client request on a route the gateway parses
// (SPEC §3.1-3.3) into the gateway's understanding of it, read as upstream's
// Java stack reads it (SPEC §11.1), or refuses it (the error text follows
// "parameter error: " in a 414 answer; nothing goes upstream). The same
// result gives the cache key, the batcher's items, the invalidation target
// and the bytes forwarded upstream, so the gateway and upstream cannot read
// one request two ways. Pure logic, no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/upstream_reply.hpp"
#include "common/result.hpp"
#include "router/conversation_id.hpp"
#include "router/route.hpp"

namespace yxgate::fidelity {

// GET
// .../conversations/{cid}/messages/{id}?message_time=&check_team_valid=&check_team_member_valid=
struct MessageLookup {
  router::ConversationId conversation;
  std::uint64_t message_server_id = 0;
  std::optional<std::uint64_t> message_time;
  bool check_team_valid = false;
  bool check_team_member_valid = false;
  bool check_team = false;  // either flag: the answer depends on live team state
};

// Path segments as sent (percent-encoded or not); `query` without the '?'.
// Query parameters the vendor does not define for this route are dropped
// from what is forwarded: the answer is for the question the gateway read.
Result<MessageLookup> read_single_get(std::string_view raw_conversation_id,
                                      std::string_view raw_message_server_id,
                                      std::string_view query);

// The canonical request target for `lookup` under `prefix` ("/im/v2/").
std::string single_get_target(std::string_view prefix, const MessageLookup& lookup);

// The conversation id as a canonical path segment ("alice%7C1%7Cbob").
std::string conversation_segment(const router::ConversationId& conversation);

// POST .../conversations/{cid}/batch_messages
struct BatchRequest {
  router::ConversationId conversation;
  std::vector<cache::BatchItem> items;  // 1..100, each with create_time
};
Result<BatchRequest> read_batch_messages(std::string_view raw_conversation_id,
                                         std::string_view body);

// modifyMsg, DELETE one message, DELETE a conversation's messages.
struct Mutation {
  std::optional<std::uint64_t> message_id;             // the message it changes
  std::optional<router::ConversationId> conversation;  // every message of it
  std::string upstream_target;                         // canonical path + query as sent
  std::optional<std::string> upstream_body;            // canonical body (modifyMsg)
};
// `path` is the request path as routed (route.prefix and segments in it).
Result<Mutation> read_mutation(const router::Route& route, std::string_view raw_target_query,
                               std::string_view body);

}  // namespace yxgate::fidelity
