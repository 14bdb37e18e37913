#pragma once
// SPEC §3.1.1 validation of the single-message route; the error text goes
// into upstream's own 414 shape: "parameter error: <what>". The reading
// itself is fidelity/parsed_request (SPEC §11.1).
#include <string_view>

#include "common/result.hpp"
#include "fidelity/parsed_request.hpp"

namespace yxgate::fidelity {

Result<MessageLookup> parse_message_lookup(std::string_view raw_conversation_id,
                                           std::string_view raw_message_server_id,
                                           std::string_view query);

}  // namespace yxgate::fidelity
