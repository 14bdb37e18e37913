#pragma once
// Single GETs shared by identical in-flight requests: the coalescing core's
// SingleFlight over upstream replies (src/coalesce/single_flight.hpp).
#include "coalesce/single_flight.hpp"
#include "pipeline/upstream_caller.hpp"

namespace yxgate::pipeline {

using SingleFlight = coalesce::SingleFlight<UpstreamReply>;
using SharedReply = coalesce::SharedReply<UpstreamReply>;

}  // namespace yxgate::pipeline
