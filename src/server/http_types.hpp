#pragma once
// The request/response types every handler sees, and gateway-made errors in
// the shape of SPEC §5: {"code":N,"msg":"...","data":{}} + X-Yxgate-Error.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

namespace yxgate::server {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

inline constexpr std::string_view kErrorHeader = "X-Yxgate-Error";
inline constexpr std::string_view kJsonContentType = "application/json;charset=utf-8";

// `reason` is the short machine-readable X-Yxgate-Error value; an empty
// reason omits the header (answers that mimic upstream, e.g. code 414).
HttpResponse make_error_response(http::status status, int code, std::string_view msg,
                                 std::string_view reason, unsigned version = 11);

HttpResponse make_json_response(http::status status, std::string body, unsigned version = 11);

}  // namespace yxgate::server
