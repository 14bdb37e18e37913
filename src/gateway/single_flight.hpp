#pragma once
// Single GETs shared by identical in-flight requests: the coalescing core's
// SingleFlight over upstream replies (src/coalesce/single_flight.hpp).
#include "coalesce/single_flight.hpp"
#include "upstream/upstream_caller.hpp"

namespace yxgate::gateway {

using SingleFlight = coalesce::SingleFlight<upstream::UpstreamReply>;
using SharedReply = coalesce::SharedReply<upstream::UpstreamReply>;

}  // namespace yxgate::gateway
