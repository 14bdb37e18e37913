#pragma once
// The payload replicas publish on <prefix>invalidate when a mutation drops
// cached entries (SPEC §5), and its parser. Pure: no Redis, no Asio.
//   "<nonce>\t<app>\tm\t<message_server_id>"
//   "<nonce>\t<app>\tc\t<canonical conversation>"
// The parser accepts exactly what render_invalidation() produces: anything
// else on the channel is not ours (or corrupt) and must drop nothing.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yxgate::cache {

struct Invalidation {
  enum class Kind { kMessage, kConversation };
  std::string_view nonce;  // echoed on <prefix>invalidate-ack
  std::string_view app;    // the app's configured name
  Kind kind = Kind::kMessage;
  std::string_view subject;      // decimal id (kMessage) or canonical conversation
  std::uint64_t message_id = 0;  // kMessage only
};

std::string render_invalidation(std::string_view nonce, std::string_view app,
                                Invalidation::Kind kind, std::string_view subject);

// Views into `payload`. nullopt unless nonce and app are non-empty, the kind
// is m or c, an id is canonical decimal (no sign, no leading zero, 1..2^63-1)
// and a conversation is non-empty.
std::optional<Invalidation> parse_invalidation(std::string_view payload);

}  // namespace yxgate::cache
