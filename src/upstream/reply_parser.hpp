#pragma once
// Beast's basic_parser driven into an upstream Response, like
// http::response_parser<string_body> but without the hop-by-hop fields
// (header_filter's is_hop_by_hop, and those a Connection field names),
// which the relay would remove again (SPEC §3.4): no element is allocated
// and freed for them. Content-Length stays in a HEAD request's reply: the
// relay answers with it. A reason phrase Beast would write anyway for the
// status is not stored (an allocation per reply). Keep-alive is the
// parser's keep_alive(): the message no longer holds Connection.
#include <string>
#include <vector>

#include "server/body_parser.hpp"
#include "upstream/upstream_client.hpp"

namespace yxgate::upstream {

class ReplyParser : public server::BodyParser<false, Response> {
 public:
  explicit ReplyParser(bool head_request) : head_request_(head_request) { skip(head_request); }

  Response release();
  // The status line read so far (0 before it). 1xx: an interim reply, not
  // the answer (RFC 9110 §15.2); the parser is done after its header.
  unsigned status() const { return message_.result_int(); }

 private:
  void on_request_impl(http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view reason, int version, error_code&) override;
  // Trailer fields (after the header) are dropped, never relayed as header
  // fields (server/body_parser.hpp).
  void on_field_impl(http::field name, string_view name_string, string_view value,
                     error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

  std::vector<std::string> named_;  // what Connection fields named: removed by release()
  bool head_request_;
};

}  // namespace yxgate::upstream
