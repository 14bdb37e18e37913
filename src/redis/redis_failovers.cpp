#include "redis/redis_failovers.hpp"

#include <algorithm>
#include <deque>
#include <mutex>

#include "metrics/yxgate_metrics.hpp"

namespace yxgate::redis {

bool note_failover(const std::string& what) {
  // A handful: failovers are rare, and every link reports one within
  // seconds of the others.
  constexpr std::size_t kRemembered = 16;
  static std::mutex mutex;
  static std::deque<std::string> seen;
  std::lock_guard lock(mutex);
  if (std::find(seen.begin(), seen.end(), what) != seen.end()) return false;
  seen.push_back(what);
  if (seen.size() > kRemembered) seen.pop_front();
  metrics::yxgate_metrics().redis_failovers_total.Increment();
  return true;
}

}  // namespace yxgate::redis
