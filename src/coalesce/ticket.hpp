#pragma once
// The mutation-generation rules of coalescing (SPEC §3.3, §11.2), in one
// place. Every key (app, message_server_id) has an invalidation generation
// that a mutation of the message or of its conversation advances (the local
// layer's InvalidationLog keeps it, also when that layer holds no entries).
//
//   1. A lookup takes a ticket before it goes upstream or joins a call.
//   2. It may join a call already in flight only while no mutation happened
//      since that call's ticket: may_join(). A call that left before a
//      mutation still serves the waiters that joined before it, but nobody
//      who arrives after the mutation. A replica that cannot prove it has
//      seen every invalidation (no local-layer lease: Redis paused, down or
//      partitioned) joins nothing in flight: the mutation it missed may be
//      one that returned after the call left.
//   3. Identical single GETs share a call only under one generation:
//      flight_key() contains it, so after a mutation a new flight starts;
//      without a lease a lookup shares no call (shares_calls()).
//   4. A fill carries the call's ticket; the cache writes it only if the
//      key is unchanged since, checked atomically with the write (the local
//      layer's put_if_unchanged, Redis tombstones): a raced fill is vetoed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cache/cache_key.hpp"

namespace yxgate::coalesce {

struct FillTicket {
  cache::CacheKey key;
  std::uint64_t local_generation = 0;
  // The replica held its invalidation lease when the ticket was taken (always
  // true without Redis: one replica sees every mutation it makes).
  bool leased = true;
  // The app's Redis invalidation epoch the lookup saw before going upstream
  // (message_cache/redis_message_store_impl.hpp, kPutScript): a tombstone it
  // already followed does not refuse its fill. None: every tombstone does.
  std::optional<std::int64_t> redis_epoch{};
};

// Rule 2. `now` is a ticket taken for the same key by the arriving lookup.
// Equality, not "no invalidation of this key": a generation covers a shard of
// keys, so any mutation in it keeps later lookups out (never serves stale).
inline bool may_join(const FillTicket& call, const FillTicket& now) {
  return now.leased && now.local_generation == call.local_generation;
}

// Rule 3's exception: a lookup without a lease makes a call of its own.
inline bool shares_calls(const FillTicket& now) { return now.leased; }

// Where tickets come from: the cache's local generations (CachedMessages).
class TicketSource {
 public:
  virtual FillTicket ticket(std::uint32_t app, std::uint64_t id) const = 0;

 protected:
  ~TicketSource() = default;
};

// Rule 3: the key of a shared single GET for `target` (what is forwarded).
std::string flight_key(const FillTicket& ticket, std::string_view target);

}  // namespace yxgate::coalesce
