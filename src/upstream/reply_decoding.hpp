#pragma once
// Upstream replies on the routes the gateway parses (SPEC §11.1): asked for
// `identity`, but decoded when they come compressed anyway, so the cache,
// the batcher and the client all see the plain body.
#include "upstream/upstream_client.hpp"

namespace yxgate::upstream {

// Whether `request` is one the gateway will read the reply of: the parsed
// routes ask upstream for `Accept-Encoding: identity` (route_env.cpp).
bool reads_reply(const upstream::Request& request);

// Decodes a `Content-Encoding: gzip/deflate` body in place and drops the
// header; a body that cannot be decoded is a protocol failure (502).
void decode_reply_body(upstream::Outcome& outcome);

}  // namespace yxgate::upstream
