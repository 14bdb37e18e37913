#include "upstream/upstream_request.hpp"

#include <boost/beast/core/string.hpp>
#include <ostream>  // before Boost's string_view, which needs it whole

namespace yxgate::upstream {
namespace http = boost::beast::http;

void Request::add_field(std::string_view name, std::string_view value) {
  if (!seen_accept_encoding_ && boost::beast::iequals(name, "Accept-Encoding")) {
    seen_accept_encoding_ = true;
    identity_ = value == "identity";
  }
  fields_.append(name).append(": ").append(value).append("\r\n");
}

void write_request_head(const Request& request, std::string_view host, std::string& out) {
  const auto method = request.method();
  const auto size = request.body().size();
  out.clear();
  out.append(http::to_string(method)).append(" ").append(request.target()).append(" HTTP/1.1\r\n");
  out.append(request.fields());
  if (size > 0 || method == http::verb::options || method == http::verb::put ||
      method == http::verb::post) {
    out.append("Content-Length: ").append(std::to_string(size)).append("\r\n");
  }
  out.append("Host: ").append(host).append("\r\n\r\n");
}

}  // namespace yxgate::upstream
