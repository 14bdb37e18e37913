#include "cache/cached_message.hpp"

#include <simdjson.h>

#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "cache/json_number.hpp"
#include "yunxin/reply_body.hpp"

namespace yxgate::cache {
namespace {

namespace od = simdjson::ondemand;

bool read_string(od::value value, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text)) return false;
  out.assign(text);
  return true;
}

// Which required fields were seen, to name the first missing one.
struct Seen {
  bool id = false, type = false, sender = false, receiver = false, team = false, time = false;
};

// Reads one field into `facts`; unknown fields are skipped. False on a
// known field with the wrong type.
bool read_field(std::string_view key, od::value value, MessageFacts& facts, Seen& seen) {
  if (key == "message_server_id") return seen.id = read_u64(value, facts.message_server_id);
  if (key == "create_time") return seen.time = read_u64(value, facts.create_time);
  if (key == "team_id") return seen.team = read_u64(value, facts.team_id);
  if (key == "sender_id") return seen.sender = read_string(value, facts.sender_id);
  if (key == "receiver_id") {
    // Team messages may carry receiver_id as null or omit it; only a string counts.
    od::json_type type;
    if (value.type().get(type)) return false;
    if (type != od::json_type::string) return true;
    return seen.receiver = read_string(value, facts.receiver_id);
  }
  if (key == "conversation_type") {
    std::int64_t type = 0;
    if (value.get_int64().get(type)) return false;
    facts.conversation_type = static_cast<int>(type);
    return seen.type = type >= 1 && type <= 3;
  }
  return true;
}

Result<MessageFacts> check_required(MessageFacts facts, const Seen& seen) {
  if (!seen.id) return make_error("message_server_id missing");
  if (!seen.type) return make_error("conversation_type missing or not 1, 2, 3");
  if (!seen.sender) return make_error("sender_id missing");
  if (!seen.time) return make_error("create_time missing");
  if (facts.conversation_type == 1 && !seen.receiver) {
    return make_error("receiver_id missing in a one-to-one message");
  }
  if (facts.conversation_type != 1 && (!seen.team || facts.team_id == 0)) {
    return make_error("team_id missing in a team message");
  }
  return facts;
}

// Heap bytes owned by a string beyond the object itself (0 while the text
// sits in the small-string buffer inside the object).
std::size_t heap_bytes(const std::string& text) {
  const auto* begin = reinterpret_cast<const char*>(&text);
  const bool inline_buffer = text.data() >= begin && text.data() < begin + sizeof(text);
  return inline_buffer ? 0 : text.capacity() + 1;
}

// std::make_shared puts the control block (two counts, vtable) next to the object.
constexpr std::size_t kControlBlockBytes = 2 * sizeof(long) + sizeof(void*);

bool same_pair(const std::string& a, const std::string& b, const std::string& x,
               const std::string& y) {
  return (a == x && b == y) || (a == y && b == x);
}

}  // namespace

Result<MessageFacts> extract_facts(std::string_view message_json) {
  // Every Redis hit and every fill reads one message: a parser and a padded
  // copy of its own each time cost more than the reading (allocations of
  // the parser's buffers, sized to the document). One of each per thread,
  // reused, for messages of the usual size; a rare large one gets its own,
  // so that a thread does not keep its buffers.
  constexpr std::size_t kReusedBytes = 64 * 1024;
  thread_local od::parser reused_parser;
  thread_local std::string reused_buffer;
  std::optional<od::parser> own_parser;
  std::string own_buffer;
  const bool reuse = message_json.size() <= kReusedBytes;
  od::parser& parser = reuse ? reused_parser : own_parser.emplace();
  std::string& buffer = reuse ? reused_buffer : own_buffer;
  // On-demand parsing reads past the end of its input: it needs padding.
  buffer.resize(message_json.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(buffer.data(), message_json.data(), message_json.size());
  std::memset(buffer.data() + message_json.size(), 0, simdjson::SIMDJSON_PADDING);
  const simdjson::padded_string_view padded(buffer.data(), message_json.size(), buffer.size());
  od::document doc;
  if (parser.iterate(padded).get(doc)) return make_error("message is not JSON");
  od::object object;
  if (doc.get_object().get(object)) return make_error("message is not a JSON object");
  MessageFacts facts;
  Seen seen;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return make_error("message has a malformed key");
    od::value value;
    if (field.value().get(value)) return make_error("message has a malformed value");
    if (!read_field(key, value, facts, seen)) {
      return make_error("message field " + std::string(key) + " has the wrong type");
    }
  }
  // simdjson 3.0 has no document::at_end(); a location past the object means
  // there is more text after it.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return make_error("message has trailing content");
  }
  return check_required(std::move(facts), seen);
}

bool belongs_to(const MessageFacts& facts, const router::ConversationId& conversation) {
  if (facts.conversation_type != static_cast<int>(conversation.type)) return false;
  if (!conversation.is_team()) {
    return same_pair(facts.sender_id, facts.receiver_id, conversation.owner_id,
                     conversation.other_id);
  }
  return facts.team_id == conversation.team_id;
}

std::size_t CacheEntry::charged_bytes() const {
  return sizeof(CacheEntry) + kControlBlockBytes + heap_bytes(message_json) +
         heap_bytes(facts.sender_id) + heap_bytes(facts.receiver_id) +
         heap_bytes(negative_conversation);
}

CacheEntry make_positive_entry(std::string message_json, MessageFacts facts) {
  CacheEntry entry;
  entry.message_json = std::move(message_json);
  entry.facts = std::move(facts);
  return entry;
}

CacheEntry make_negative_entry(std::uint64_t message_server_id,
                               const router::ConversationId& conversation,
                               std::optional<std::uint64_t> message_time) {
  CacheEntry entry;
  entry.negative = true;
  entry.facts.message_server_id = message_server_id;
  entry.facts.conversation_type = static_cast<int>(conversation.type);
  entry.negative_conversation = conversation.to_string();
  entry.negative_message_time = message_time;
  return entry;
}

Lookup match(const CacheEntry& entry, const router::ConversationId& conversation,
             std::optional<std::uint64_t> message_time) {
  if (entry.negative) {
    const bool same_question = entry.negative_message_time == message_time &&
                               entry.negative_conversation == conversation.to_string();
    return same_question ? Lookup::kNegativeHit : Lookup::kMiss;
  }
  if (!belongs_to(entry.facts, conversation)) return Lookup::kMiss;
  if (message_time && *message_time != entry.facts.create_time) return Lookup::kMiss;
  return Lookup::kHit;
}

std::string single_message_body(const CacheEntry& entry) {
  if (entry.negative) return std::string(yunxin::kMessageNotFoundBody);
  return yunxin::success_body(entry.message_json);
}

}  // namespace yxgate::cache
