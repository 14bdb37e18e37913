#pragma once
// Header hygiene for both directions of a forwarded call (SPEC §2, §3.4, §6).
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/fields.hpp>
#include <string_view>

namespace yxgate::upstream {

// Hop-by-hop by name (RFC 9110 §7.6.1), plus Content-Length and
// Transfer-Encoding (re-framed on the way out).
bool is_hop_by_hop(boost::beast::http::field name);

// What a client must not pass upstream: the signing headers (the gateway
// sets its own), Authorization (client token, SPEC §6), the gateway's own
// X-Yxgate-App, Host and Expect. `name` is the field's name as sent.
bool is_client_only(boost::beast::http::field field, std::string_view name);

// The gateway's own response fields (X-Yxgate-Cache, -Error, -Replayed, ...):
// an upstream reply carrying one is not believed, so a client can tell the
// gateway's errors and cache results from anything upstream sends.
bool is_gateway_owned(std::string_view name);

// Calls `f` with each token of a Connection field's value (comma list,
// spaces and tabs around a token trimmed, empty tokens skipped).
template <class F>
void for_each_connection_token(std::string_view value, F&& f) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    auto token = value.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (!token.empty()) f(token);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// Removes hop-by-hop headers, including any the Connection header names,
// plus Content-Length/Transfer-Encoding (re-framed). One pass; the rest keep
// their order.
void remove_hop_by_hop(boost::beast::http::fields& fields);

// Removes what is_client_only() names.
void remove_client_only(boost::beast::http::fields& fields);

}  // namespace yxgate::upstream
