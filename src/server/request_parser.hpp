#pragma once
// Beast's basic_parser driven into an HttpRequest, like
// http::request_parser<string_body> except that trailer fields are dropped
// (SPEC §11.1: never merged into headers, forwarded, or consulted for auth
// or app selection). Beast's own parser appends them to the header.
#include <boost/beast/http/basic_parser.hpp>

#include "frontdoor/request_framing.hpp"
#include "frontdoor/request_target.hpp"
#include "server/http_types.hpp"

namespace yxgate::server {

class RequestParser : public http::basic_parser<true> {
 public:
  RequestParser() = default;

  HttpRequest& get() { return message_; }
  HttpRequest release() { return std::move(message_); }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(http::verb method, string_view method_str, string_view target, int version,
                       error_code&) override {
    // Absolute-form is read as its origin-form (frontdoor/request_target.hpp).
    if (target.starts_with('/')) {
      message_.target(target);
    } else if (auto origin = frontdoor::origin_form_of(target)) {
      message_.target(*origin);
    } else {
      message_.target(target);
    }
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
    if (header_done_) return;  // a trailer field: discarded
    message_.insert(name, name_string, value);
  }
  void on_header_impl(error_code&) override { header_done_ = true; }
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code&) override {
    // basic_parser has already checked the length against body_limit().
    if (content_length) message_.body().reserve(static_cast<std::size_t>(*content_length));
  }
  std::size_t on_body_impl(string_view body, error_code&) override {
    message_.body().append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view extensions, error_code& ec) override {
    // RFC 9112 §7.1.1 allows whitespace between the size and ";", but
    // parsers disagree on it ("5 ;x" is an error to h11): refuse it.
    if (!extensions.empty() && extensions.front() != ';') ec = http::error::bad_chunk_extension;
  }
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    message_.body().append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  HttpRequest message_;
  bool header_done_ = false;
};

// RFC 9112 §6 checked on what Beast parsed: Beast ignores a Transfer-Encoding
// whose last coding is not chunked and accepts TE after a non-chunked TE
// with Content-Length. Refuses too when Beast's reading differs from ours.
frontdoor::FramingDecision check_framing(RequestParser& parser);

}  // namespace yxgate::server
