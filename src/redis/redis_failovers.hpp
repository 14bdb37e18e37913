#pragma once
// yxgate_redis_failovers_total counts a failover once per process, though
// every link of the process (each worker's, the subscriber's) notices it.
// `what` names the change (the sentinel's +switch-master payload, or the
// cluster node that left the slot map); the same name again within the
// last few is the same failover.
#include <string>

namespace yxgate::redis {

// Thread-safe. True (and counted) the first time `what` is seen.
bool note_failover(const std::string& what);

}  // namespace yxgate::redis
