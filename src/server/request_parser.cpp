#include "server/request_parser.hpp"

namespace yxgate::server {

frontdoor::FramingDecision check_framing(RequestParser& parser) {
  const auto& request = parser.get();
  frontdoor::FramingCheck check(request.version());
  // Beast keeps fields in a name-ordered set: three lookups, no scan.
  for (auto [it, end] = request.equal_range(http::field::transfer_encoding); it != end; ++it) {
    check.add_transfer_encoding(it->value());
  }
  for (auto [it, end] = request.equal_range(http::field::content_length); it != end; ++it) {
    check.add_content_length(it->value());
  }
  for (auto [it, end] = request.equal_range(http::field::host); it != end; ++it) {
    check.add_host(it->value());
  }
  auto decision = check.decision();
  if (!decision.ok()) return decision;
  const bool agree =
      decision.framing == frontdoor::BodyFraming::kChunked
          ? parser.chunked()
          : !parser.chunked() && parser.content_length().value_or(0) == decision.content_length;
  if (!agree) return {.refusal = "ambiguous message framing"};
  return decision;
}

}  // namespace yxgate::server
