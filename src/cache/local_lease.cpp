#include "cache/local_lease.hpp"

#include <charconv>

namespace yxgate::cache {
namespace {

constexpr std::string_view kHeartbeat = "hb\t";

}  // namespace

std::string render_heartbeat(std::string_view replica, std::uint64_t seq,
                             std::chrono::steady_clock::time_point sent) {
  return std::string(kHeartbeat) + std::string(replica) + "\t" + std::to_string(seq) + "\t" +
         std::to_string(sent.time_since_epoch().count());
}

std::optional<Heartbeat> parse_heartbeat(std::string_view payload) {
  if (!payload.starts_with(kHeartbeat)) return std::nullopt;
  payload.remove_prefix(kHeartbeat.size());
  const auto tab = payload.find('\t');
  const auto tab2 = payload.find('\t', tab == std::string_view::npos ? tab : tab + 1);
  if (tab == std::string_view::npos || tab2 == std::string_view::npos) return std::nullopt;
  Heartbeat beat;
  beat.replica = payload.substr(0, tab);
  const auto seq = payload.substr(tab + 1, tab2 - tab - 1);
  const auto sent = payload.substr(tab2 + 1);
  std::chrono::steady_clock::rep ns = 0;
  if (std::from_chars(seq.data(), seq.data() + seq.size(), beat.seq).ec != std::errc{} ||
      std::from_chars(sent.data(), sent.data() + sent.size(), ns).ec != std::errc{}) {
    return std::nullopt;
  }
  beat.sent = std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(ns));
  return beat;
}

std::optional<LocalLease::Renewal> LocalLease::on_beat(const Heartbeat& beat, Clock::time_point now,
                                                       Clock::time_point lease_until_now) {
  if (beat.replica != replica_) return std::nullopt;
  const bool gap = !resync_ && beat.seq != seen_ + 1;
  resync_ = false;
  seen_ = beat.seq;
  Renewal renewal;
  // Redis answers again after a period in which an invalidation may have
  // been missed: what the local layer holds may be old.
  renewal.drop_local = lost_ || gap || now >= lease_until_now;
  lost_ = false;
  renewal.lease_until = beat.sent + lease_for_;
  renewal.newly_held = !held_;
  held_ = true;
  return renewal;
}

LocalLease::Renewal LocalLease::resubscribed(Clock::time_point now) {
  resync_ = true;
  lost_ = false;
  Renewal renewal{true, now + lease_for_, !held_};
  held_ = true;
  return renewal;
}

bool LocalLease::lose() {
  lost_ = true;
  const bool was_held = held_;
  held_ = false;
  return was_held;
}

}  // namespace yxgate::cache
