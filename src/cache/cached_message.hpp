#pragma once
// What a cache entry holds about one message, and the rule deciding whether
// it may answer a request (SPEC §3.1.3, §3.2). Pure logic: no I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "router/conversation_id.hpp"

namespace yxgate::cache {

// The fields of an upstream message object that the ownership rule needs.
// Ids are Java Longs: they may exceed 2^53, so they are never doubles.
struct MessageFacts {
  std::uint64_t message_server_id = 0;
  int conversation_type = 0;  // 1 one-to-one, 2 team, 3 super team
  std::string sender_id;
  std::string receiver_id;    // one-to-one only
  std::uint64_t team_id = 0;  // teams only
  std::uint64_t create_time = 0;
};

// Parses one message object exactly as upstream returns it inside `data`
// (single GET) or as an element of `success_list` (batch). Fails when a field
// the ownership rule needs is missing or has the wrong type.
Result<MessageFacts> extract_facts(std::string_view message_json);

// SPEC §3.1.3: one-to-one messages belong to the conversation whose two
// accounts are the sender and the receiver, in either order (the same message
// is fetched as alice|1|bob and bob|1|alice); team messages belong to the
// conversation with the same team id AND the same type (team 2 and super
// team 3 are different id spaces upstream).
bool belongs_to(const MessageFacts& facts, const router::ConversationId& conversation);

// One cached answer for (app, message_server_id).
//
// A positive entry holds the message and answers any request it belongs_to.
// A negative entry records "upstream answered 107404 when asked for this id
// in conversation `negative_conversation` with `negative_message_time`" and
// answers only that exact question. 107404 does not mean the id does not
// exist: upstream also answers it when the id exists but belongs to another
// conversation, or when message_time does not match. So a negative answer
// says nothing about any other (conversation, message_time) pair, and the
// conversation is compared as the exact string (owner included, since a
// one-sided delete can make the same message visible to one owner only).
// Both kinds share the slot of their (app, id) key. A negative answer should
// replace a positive entry only if that entry would have answered the same
// question (match() == kHit: the message was deleted outside the gateway);
// otherwise the positive entry is still right for its own conversation and
// serves more requests than the negative one ever can.
struct CacheEntry {
  std::string message_json;  // the `data` object, verbatim; empty when negative
  MessageFacts facts;        // facts.message_server_id is set for negatives too
  bool negative = false;
  std::string negative_conversation;  // ConversationId::to_string() of the question
  std::optional<std::uint64_t> negative_message_time;

  // Heap and object bytes this entry keeps alive, including the shared_ptr
  // control block it is normally allocated with (make_shared).
  std::size_t charged_bytes() const;
};

CacheEntry make_positive_entry(std::string message_json, MessageFacts facts);
CacheEntry make_negative_entry(std::uint64_t message_server_id,
                               const router::ConversationId& conversation,
                               std::optional<std::uint64_t> message_time);

enum class Lookup { kHit, kNegativeHit, kMiss };

// Whether `entry` may answer a request for `conversation` (and `message_time`
// when the client gave one). Anything that is not provably the same answer
// upstream would give is a miss.
Lookup match(const CacheEntry& entry, const router::ConversationId& conversation,
             std::optional<std::uint64_t> message_time);

// Exactly upstream's single-message GET body for this entry:
// {"code":200,"msg":"success","data":<message>} or, for a negative entry,
// {"code":107404,"msg":"message not exist","data":{}}.
std::string single_message_body(const CacheEntry& entry);

}  // namespace yxgate::cache
