#pragma once
// Header hygiene for both directions of a forwarded call (SPEC §2, §3.4, §6).
#include <boost/beast/http/fields.hpp>

namespace yxgate::upstream {

// Removes hop-by-hop headers (RFC 9110 §7.6.1), including any the
// Connection header names, plus Content-Length/Transfer-Encoding (re-framed).
void remove_hop_by_hop(boost::beast::http::fields& fields);

// Removes what a client must not pass upstream: the signing headers (the
// gateway sets its own), Authorization (client token, SPEC §6), the
// gateway's own X-Yxgate-* headers, Host and Expect.
void remove_client_only(boost::beast::http::fields& fields);

}  // namespace yxgate::upstream
