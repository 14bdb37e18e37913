#include "frontdoor/connection_limits.hpp"

#include <algorithm>

namespace yxgate::frontdoor {

std::uint64_t reserved_descriptors(std::uint64_t threads, std::uint64_t upstream_connections) {
  // 64 for stdio, listeners, signals and slack; 8 per worker (epoll,
  // eventfd, timerfd, Redis command/pub-sub links); the upstream pool, which
  // may hold one more per worker while a connection is replaced.
  return 64 + 8 * threads + upstream_connections + threads;
}

ConnectionLimits clamp_connection_limits(std::uint64_t data_max, std::uint64_t admin_max,
                                         std::uint64_t fd_limit, std::uint64_t reserved) {
  ConnectionLimits limits;
  limits.reserved = reserved;
  const std::uint64_t usable = fd_limit > reserved + 2 ? fd_limit - reserved : 2;
  limits.admin = std::min(admin_max, std::max<std::uint64_t>(1, usable / 8));
  limits.data = std::min(data_max, std::max<std::uint64_t>(1, usable - limits.admin));
  limits.clamped = limits.admin != admin_max || limits.data != data_max;
  return limits;
}

}  // namespace yxgate::frontdoor
