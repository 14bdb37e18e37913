#include "cache/invalidation_log.hpp"

namespace yxgate::cache {

InvalidationLog::InvalidationLog(Clock::duration horizon, std::size_t max_records)
    : horizon_(horizon), max_records_(max_records) {}

void InvalidationLog::invalidate(const CacheKey& key, Clock::time_point now) {
  ++clock_;
  latest_[key] = clock_;
  records_.push_back(Record{key, clock_, now});
  prune(now);
}

void InvalidationLog::invalidate_all() {
  ++clock_;
  floor_ = clock_;
  // Every record is now covered by the floor.
  latest_.clear();
  records_.clear();
}

bool InvalidationLog::unchanged_since(const CacheKey& key, std::uint64_t token) const {
  // A token equal to the floor was taken after the clear or pruned record.
  if (token < floor_) return false;
  const auto it = latest_.find(key);
  return it == latest_.end() || it->second <= token;
}

void InvalidationLog::prune(Clock::time_point now) {
  // Callers on several threads may pass slightly out-of-order `now`s; the
  // records are in clock order, so pruning stops at the first young one.
  while (!records_.empty() &&
         (records_.size() > max_records_ || now - records_.front().at > horizon_)) {
    drop_oldest();
  }
}

void InvalidationLog::drop_oldest() {
  const Record& oldest = records_.front();
  if (const auto it = latest_.find(oldest.key); it != latest_.end() && it->second == oldest.clock) {
    latest_.erase(it);
  }
  floor_ = oldest.clock;
  records_.pop_front();
}

}  // namespace yxgate::cache
