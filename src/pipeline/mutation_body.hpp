#pragma once
// The message a modifyMsg body names (SPEC §3.3): what the gateway
// invalidates. Pure (no Asio), so a fuzz target can reach it.
#include <cstdint>
#include <optional>
#include <string_view>

namespace yxgate::pipeline {

// message.message_server_id of a modifyMsg body, if it has one.
std::optional<std::uint64_t> modified_message_id(std::string_view body);

}  // namespace yxgate::pipeline
