#pragma once
// Mutations of SPEC §3.3 (modifyMsg, recall/delete, clear a conversation):
// forwarded signed; what they touch is invalidated before forwarding and
// again once upstream answers code 200, on every replica.
#include <boost/asio/awaitable.hpp>

#include "pipeline/route_env.hpp"

namespace yxgate::pipeline {

boost::asio::awaitable<server::HttpResponse> handle_mutation(RouteEnv env);

// message.message_server_id of a modifyMsg body, if it has one.
std::optional<std::uint64_t> modified_message_id(std::string_view body);

}  // namespace yxgate::pipeline
