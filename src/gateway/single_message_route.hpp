#pragma once
// GET .../conversations/{cid}/messages/{id} (SPEC §3.1): validate, answer
// from cache, else ask upstream and fill the cache.
#include <boost/asio/awaitable.hpp>
#include <optional>

#include "gateway/route_env.hpp"

namespace yxgate::gateway {

// The hit path without a coroutine frame: the answer when the in-process
// layer has it, nullopt otherwise (then `handle_single_message` with
// local_checked = true, which goes on from Redis).
std::optional<server::HttpResponse> answer_from_local_cache(RouteEnv& env);

boost::asio::awaitable<server::HttpResponse> handle_single_message(RouteEnv env,
                                                                   bool local_checked = false);

}  // namespace yxgate::gateway
