#pragma once
// "Is Redis answering?" shared by every link of one process to one Redis
// (SPEC §11.3: a Redis fault costs a request one cache.redis.timeout, not
// three). The first command that times out on any link marks Redis suspect
// at once; from then on every link's commands fail fast (kNotConnected)
// until a probe started after that timeout is answered (the timed-out link
// reconnects and its handshake PING is the probe). Lock-free: read on every
// command from every worker.
#include <atomic>
#include <cstdint>

namespace yxgate::redis {

class RedisLiveness {
 public:
  bool suspect() const { return (state_.load(std::memory_order_acquire) & 1) != 0; }

  // A probe remembers this before it sends; see probe_answered().
  std::uint64_t epoch() const { return state_.load(std::memory_order_acquire) >> 1; }

  // A command went unanswered for the whole timeout.
  void mark_suspect() {
    auto cur = state_.load(std::memory_order_relaxed);
    while (!state_.compare_exchange_weak(cur, (((cur >> 1) + 1) << 1) | 1,
                                         std::memory_order_acq_rel)) {
    }
  }

  // A probe that started at `epoch_at_start` was answered. It clears the
  // suspicion only if no command timed out since it started: an answer to an
  // older probe proves nothing about a later silence.
  void probe_answered(std::uint64_t epoch_at_start) {
    auto cur = state_.load(std::memory_order_relaxed);
    while ((cur >> 1) == epoch_at_start && (cur & 1) != 0 &&
           !state_.compare_exchange_weak(cur, cur & ~std::uint64_t{1}, std::memory_order_acq_rel)) {
    }
  }

 private:
  // epoch << 1 | suspect, in one word so that check and clear are one CAS.
  std::atomic<std::uint64_t> state_{0};
};

}  // namespace yxgate::redis
