#pragma once
// One access-log line per request (SPEC §10). Never a secret, a CheckSum or a
// message body: only what RequestContext holds.
#include "pipeline/request_context.hpp"

namespace yxgate::log {

std::string format_access_log(const pipeline::RequestContext& ctx, double latency_ms);
void write_access_log(const pipeline::RequestContext& ctx, double latency_ms);

}  // namespace yxgate::log
