#pragma once
// What a Beast basic_parser that fills a string-body message needs besides
// its start line and fields: the body, whole or chunked, and the end of the
// header. Shared by server::RequestParser (client requests) and
// upstream::ReplyParser (upstream replies). A field that arrives after the
// header is a chunked body's trailer field: in_trailer() tells the derived
// parser to drop it (RFC 9110 §6.5, SPEC §11.1), where Beast's own parsers
// merge trailers into the header.
#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>

namespace yxgate::server {

template <bool isRequest, class Message>
class BodyParser : public boost::beast::http::basic_parser<isRequest> {
 protected:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  bool in_trailer() const { return header_done_; }

  Message message_;

 private:
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
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    message_.body().append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  bool header_done_ = false;
};

}  // namespace yxgate::server
