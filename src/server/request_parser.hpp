#pragma once
// Beast's basic_parser driven into an HttpRequest, like
// http::request_parser<string_body> except that trailer fields are dropped
// (SPEC §11.1: never merged into headers, forwarded, or consulted for auth
// or app selection; server/body_parser.hpp).
#include <optional>

#include "frontdoor/request_framing.hpp"
#include "frontdoor/request_target.hpp"
#include "server/body_parser.hpp"
#include "server/http_types.hpp"

namespace yxgate::server {

class RequestParser : public BodyParser<true, HttpRequest> {
 public:
  RequestParser() = default;

  HttpRequest& get() { return message_; }
  HttpRequest release() { return std::move(message_); }

 private:
  void on_request_impl(http::verb method, string_view method_str, string_view target, int version,
                       error_code&) override {
    // Absolute-form is read as its origin-form (frontdoor/request_target.hpp);
    // the usual origin-form is not searched for a scheme.
    const auto origin = target.starts_with('/') ? std::nullopt : frontdoor::origin_form_of(target);
    message_.target(origin ? string_view(*origin) : target);
    if (method != http::verb::unknown) {
      message_.method(method);
    } else {
      message_.method_string(method_str);
    }
    message_.version(version);
  }
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(http::field name, string_view name_string, string_view value,
                     error_code&) override {
    if (in_trailer()) return;  // discarded
    message_.insert(name, name_string, value);
  }
  void on_chunk_header_impl(std::uint64_t, string_view extensions, error_code& ec) override {
    // RFC 9112 §7.1.1 allows whitespace between the size and ";", but
    // parsers disagree on it ("5 ;x" is an error to h11): refuse it.
    if (!extensions.empty() && extensions.front() != ';') ec = http::error::bad_chunk_extension;
  }
};

// RFC 9112 §6 checked on what Beast parsed: Beast ignores a Transfer-Encoding
// whose last coding is not chunked and accepts TE after a non-chunked TE
// with Content-Length. Refuses too when Beast's reading differs from ours.
frontdoor::FramingDecision check_framing(RequestParser& parser);

}  // namespace yxgate::server
