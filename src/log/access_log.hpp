#pragma once
// One access-log line per request (SPEC §10). Never a secret, a CheckSum or a
// message body: only what an AccessRecord holds.
#include "log/access_record.hpp"

namespace yxgate::log {

std::string format_access_log(const AccessRecord& ctx, double latency_ms);
void write_access_log(const AccessRecord& ctx, double latency_ms);

}  // namespace yxgate::log
