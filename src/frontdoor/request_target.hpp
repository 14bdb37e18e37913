#pragma once
// The request-target forms of RFC 9112 §3.2. A server MUST accept the
// absolute-form ("http://host/path?query"), which clients send when they
// are configured to use yxgate as an HTTP proxy rather than as the base
// URL. The gateway routes, checks, signs and forwards its origin-form, the
// way the vendor's own front end reads it. Pure: no Asio/Beast.
#include <optional>
#include <string>
#include <string_view>

namespace yxgate::frontdoor {

// The origin-form of an absolute-form target with an http or https scheme
// (case-insensitive): its path ("/" when empty) and query, without the
// authority. nullopt for any other target, including an absolute-form
// without a host or with userinfo (RFC 9110 §4.2.4: not to be sent), which
// then fail the path check as before.
std::optional<std::string> origin_form_of(std::string_view target);

}  // namespace yxgate::frontdoor
