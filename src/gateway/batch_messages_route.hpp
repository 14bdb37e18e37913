#pragma once
// POST .../conversations/{cid}/batch_messages (SPEC §3.2): items found in
// cache are answered from it; only the misses go upstream, in calls of at
// most coalesce.max_batch; the reply merges both in request order.
#include <boost/asio/awaitable.hpp>

#include "gateway/route_env.hpp"

namespace yxgate::gateway {

boost::asio::awaitable<server::HttpResponse> handle_batch_messages(RouteEnv env);

// coalesce.batch_path with {conversation_id} replaced by the encoded id.
std::string batch_target(std::string_view batch_path, std::string_view encoded_conversation_id);

}  // namespace yxgate::gateway
