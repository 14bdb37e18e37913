#include "server/http_types.hpp"

#include "yunxin/reply_body.hpp"

namespace yxgate::server {

HttpResponse make_json_response(http::status status, std::string body, unsigned version) {
  HttpResponse res{status, version};
  res.set(http::field::content_type, kJsonContentType);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse make_error_response(http::status status, int code, std::string_view msg,
                                 std::string_view reason, unsigned version) {
  auto res = make_json_response(status, yunxin::error_body(code, msg), version);
  if (!reason.empty()) res.set(kErrorHeader, reason);
  return res;
}

}  // namespace yxgate::server
