#pragma once
// Mutations of SPEC §3.3 (modifyMsg, recall/delete, clear a conversation):
// read as upstream reads them (fidelity/parsed_request, SPEC §11.1) or
// refused; forwarded signed as read; what they touch is invalidated before
// forwarding and again once upstream answers code 200, on every replica.
#include <boost/asio/awaitable.hpp>

#include "gateway/route_env.hpp"

namespace yxgate::gateway {

boost::asio::awaitable<server::HttpResponse> handle_mutation(RouteEnv env);

}  // namespace yxgate::gateway
