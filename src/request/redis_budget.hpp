#pragma once
// One client request's time on Redis (SPEC §11.3): at most
// cache.redis.timeout in total, shared by its lookup, its cache fill and a
// mutation's invalidations. Each Redis call is given what is left as its
// deadline and charged what it took.
#include <algorithm>
#include <chrono>
#include <optional>

namespace yxgate::request {

struct RedisBudget {
  using Clock = std::chrono::steady_clock;

  Clock::duration spent{0};
  // When Redis first failed to take one of this request's invalidations (or
  // its replay claim): every other replica's local lease has run out one
  // timeout after it.
  std::optional<Clock::time_point> lost_at;
  // When the replicas first failed to confirm one Redis took: their
  // confirmations of the later ones are awaited until one timeout after it.
  std::optional<Clock::time_point> unconfirmed_at;

  Clock::duration left(Clock::duration timeout) const {
    return std::max(timeout - spent, Clock::duration::zero());
  }
  // The deadline of a Redis call issued at `now`; none while nothing is
  // spent (the call's own timeout bounds it, and a silent Redis is then
  // marked suspect: redis/redis_session.hpp).
  std::optional<Clock::time_point> deadline(Clock::time_point now, Clock::duration timeout) const {
    if (spent <= Clock::duration::zero()) return std::nullopt;
    return now + left(timeout);
  }
  void charge(Clock::time_point since, Clock::time_point until) { spent += until - since; }
};

}  // namespace yxgate::request
