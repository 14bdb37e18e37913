#pragma once
// The vendor's body codes the gateway reads or answers with (SPEC §5,
// api-docs/). Upstream answers HTTP 200 for every business outcome and puts
// the outcome here, so these, not HTTP statuses, are what clients act on.
#include <string_view>

namespace yxgate::yunxin {

inline constexpr int kSuccess = 200;
// A parameter error; upstream also answers it when it refuses a signature
// (fidelity/auth_refusal.hpp tells the two apart).
inline constexpr int kParameterError = 414;
inline constexpr int kRateLimited = 416;
// What only a gateway can fail at (upstream unreachable, timed out, garbled).
inline constexpr int kGatewayFailure = 500;
// No message with this id (and create_time) in this conversation.
inline constexpr int kMessageNotFound = 107404;
inline constexpr std::string_view kMessageNotFoundText = "message not exist";

}  // namespace yxgate::yunxin
