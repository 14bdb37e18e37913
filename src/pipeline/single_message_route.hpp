#pragma once
// GET .../conversations/{cid}/messages/{id} (SPEC §3.1): validate, answer
// from cache, else ask upstream and fill the cache.
#include <boost/asio/awaitable.hpp>

#include "pipeline/route_env.hpp"

namespace yxgate::pipeline {

boost::asio::awaitable<server::HttpResponse> handle_single_message(RouteEnv env);

}  // namespace yxgate::pipeline
