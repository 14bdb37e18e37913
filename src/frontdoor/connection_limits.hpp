#pragma once
// Connection limits that fit in the process's file descriptors (SPEC
// §11.7): the admin listener can never take the descriptors the data plane
// needs. Pure; main() feeds it getrlimit(RLIMIT_NOFILE) and logs the result.
#include <cstdint>

namespace yxgate::frontdoor {

struct ConnectionLimits {
  std::uint64_t data = 0;      // effective server.max_connections
  std::uint64_t admin = 0;     // effective server.admin_max_connections
  std::uint64_t reserved = 0;  // descriptors kept for everything else
  bool clamped = false;        // either limit was lowered
};

// Descriptors the process needs besides client connections: stdio, logs,
// each worker's epoll/eventfd/timerfd and Redis links, the upstream pool.
std::uint64_t reserved_descriptors(std::uint64_t threads, std::uint64_t upstream_connections);

// Both limits lowered so that data + admin + reserved <= fd_limit; the
// admin listener gets at most an eighth of what is left (at least 1).
ConnectionLimits clamp_connection_limits(std::uint64_t data_max, std::uint64_t admin_max,
                                         std::uint64_t fd_limit, std::uint64_t reserved);

}  // namespace yxgate::frontdoor
