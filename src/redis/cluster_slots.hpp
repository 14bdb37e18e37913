#pragma once
// Redis Cluster building blocks (SPEC §11.6, issue 19 stage 3): the key ->
// slot function with hash tags, the slot map read from CLUSTER SLOTS, and
// MOVED/ASK redirect parsing. Pure values: no I/O, no Asio.
//
// Key design for cluster mode (see README.md "Cluster"): every key a
// multi-key script touches shares one hash tag, so the script runs on one
// node; the tag is chosen per app (cache) and per app+class (rate limits).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_reply.hpp"

namespace yxgate::redis {

inline constexpr std::uint16_t kClusterSlots = 16384;

// CRC16 (XMODEM) of the key, or of its hash tag: the bytes between the
// first '{' and the next '}' when that span is not empty (Redis Cluster
// specification, "Hash tags").
std::uint16_t key_slot(std::string_view key);

struct ClusterNode {
  std::string host;
  std::uint16_t port = 0;
  bool operator==(const ClusterNode&) const = default;
};

// "MOVED 3999 127.0.0.1:6381" (the slot lives there now: refresh the map)
// or "ASK 3999 127.0.0.1:6381" (being migrated: ask there once, after ASKING).
struct Redirect {
  enum class Kind { kMoved, kAsk };
  Kind kind;
  std::uint16_t slot;
  ClusterNode node;
};
std::optional<Redirect> parse_redirect(std::string_view error);

class SlotMap {
 public:
  // From a CLUSTER SLOTS reply: [[start, end, [host, port, id, ...],
  // replica..., ], ...]. `asked_host` stands in for an empty host (a node
  // that does not know its own address answers ""). Null if malformed.
  static std::optional<SlotMap> from_cluster_slots(const RedisValue& reply,
                                                   const std::string& asked_host);

  // The master serving `slot`, or null when no node does.
  const ClusterNode* master_for(std::uint16_t slot) const;
  // Every master the map has named, each once (a MOVED-only owner stays
  // listed until the next refresh builds a new map).
  const std::vector<ClusterNode>& masters() const { return masters_; }
  // True when every slot has a master (otherwise the cluster is down for
  // some keys: those bypass Redis).
  bool complete() const;
  // After MOVED: the slot is `node`'s until the next refresh.
  void move(std::uint16_t slot, const ClusterNode& node);

 private:
  std::vector<std::int16_t> owner_ = std::vector<std::int16_t>(kClusterSlots, -1);
  std::vector<ClusterNode> masters_;
};

}  // namespace yxgate::redis
