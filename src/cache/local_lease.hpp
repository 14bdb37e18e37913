#pragma once
// The local-layer lease's rules (SPEC §11.2), without I/O. A replica serves
// its in-process layer only while it can show it missed no invalidation:
// every heartbeat_every it publishes a numbered heartbeat on the
// invalidation channel, and pub/sub delivers one channel in publish order,
// so getting its own heartbeat back proves every invalidation published
// before it has arrived. The lease then runs until the beat's send time +
// lease_for. A failed beat, a gap in the numbers or a silence past the lease
// ends it; the next own beat that comes back drops the whole local layer
// and starts a new one. The Redis layer (message_cache/redis_message_store) does
// the publishing and applies what these rules decide.
//
// Not thread-safe: one owner, on one executor.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yxgate::cache {

struct Heartbeat {
  std::string_view replica;
  std::uint64_t seq = 0;
  std::chrono::steady_clock::time_point sent;
};

// "hb\t<replica>\t<seq>\t<steady ns when sent>". parse_invalidation()
// rejects it (its kind is not m or c), so other replicas ignore it.
std::string render_heartbeat(std::string_view replica, std::uint64_t seq,
                             std::chrono::steady_clock::time_point sent);
std::optional<Heartbeat> parse_heartbeat(std::string_view payload);

class LocalLease {
 public:
  using Clock = std::chrono::steady_clock;

  LocalLease(std::string replica, Clock::duration lease_for)
      : replica_(std::move(replica)), lease_for_(lease_for) {}

  const std::string& replica() const { return replica_; }

  // The payload of the next beat, sent at `sent`.
  std::string next_beat(Clock::time_point sent) {
    return render_heartbeat(replica_, ++sent_, sent);
  }

  // What an own heartbeat that came back means.
  struct Renewal {
    bool drop_local = false;        // an invalidation may have been missed
    Clock::time_point lease_until;  // serve the local layer until then
    bool newly_held = false;        // for one log line per regain
  };
  // nullopt: another replica's beat (its own proof, not ours).
  // `lease_until_now`: the lease as it stands (a silence past it ends it).
  std::optional<Renewal> on_beat(const Heartbeat& beat, Clock::time_point now,
                                 Clock::time_point lease_until_now);

  // Subscribed anew (the local layer was just emptied): the next own beat
  // sets the numbering, and the lease runs from `now`.
  Renewal resubscribed(Clock::time_point now);

  // A beat that could not be sent or was refused. True the first time after
  // the lease was held (one log line per loss).
  bool lose();

 private:
  std::string replica_;
  Clock::duration lease_for_;
  std::uint64_t sent_ = 0;
  std::uint64_t seen_ = 0;
  bool lost_ = false;
  bool held_ = false;
  bool resync_ = true;  // the next own heartbeat sets the numbering
};

}  // namespace yxgate::cache
