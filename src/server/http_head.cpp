#include "server/http_head.hpp"

namespace yxgate::server {
namespace {

template <class Fields>
void append_fields(const Fields& fields, std::string& out) {
  for (const auto& field : fields) {
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += "\r\n";
}

const char* version_text(unsigned version) { return version == 10 ? "HTTP/1.0" : "HTTP/1.1"; }

}  // namespace

void write_head(const HttpResponse& response, std::string& out) {
  out.clear();
  out += version_text(response.version());
  out += ' ';
  const auto status = response.result_int();
  out += static_cast<char>('0' + status / 100 % 10);
  out += static_cast<char>('0' + status / 10 % 10);
  out += static_cast<char>('0' + status % 10);
  out += ' ';
  out += response.reason();
  out += "\r\n";
  append_fields(response, out);
}

void write_head(const HttpRequest& request, std::string& out) {
  out.clear();
  out += request.method_string();
  out += ' ';
  out += request.target();
  out += ' ';
  out += version_text(request.version());
  out += "\r\n";
  append_fields(request, out);
}

}  // namespace yxgate::server
