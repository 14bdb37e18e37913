#pragma once
// A request on its way upstream, its header fields kept as wire text: the
// fields a client's request passes on are written once, as "Name: value\r\n"
// lines, while the client's fields are walked (issue 18 profile: copying
// them into a beast::fields and then erasing the hop-by-hop and client-only
// ones cost ~7k instructions per pass-through). The signing fields, then
// Content-Length and Host, are appended when it is signed and sent.
#include <boost/beast/http/verb.hpp>
#include <string>
#include <string_view>

namespace yxgate::upstream {

class Request {
 public:
  Request() = default;
  Request(boost::beast::http::verb method, std::string target)
      : method_(method), target_(std::move(target)) {}

  boost::beast::http::verb method() const { return method_; }
  const std::string& target() const { return target_; }
  void target(std::string target) { target_ = std::move(target); }
  std::string& body() { return body_; }
  const std::string& body() const { return body_; }

  // "Name: value\r\n" lines, in the order they were added.
  const std::string& fields() const { return fields_; }
  // Room for `bytes` of fields, so that appending them allocates once.
  void reserve_fields(std::size_t bytes) { fields_.reserve(bytes); }
  // Appends a field. Its name and value come from a parsed request or from
  // the gateway: neither holds CR or LF.
  void add_field(std::string_view name, std::string_view value);
  // For writers of whole "Name: value\r\n" lines that carry no
  // Accept-Encoding (the signing fields).
  std::string& fields_text() { return fields_; }
  // Whether the first Accept-Encoding field says exactly "identity": the
  // gateway asked for a reply it can read (SPEC §11.1).
  bool asks_identity() const { return identity_; }

 private:
  boost::beast::http::verb method_ = boost::beast::http::verb::get;
  std::string target_;
  std::string fields_;
  std::string body_;
  bool seen_accept_encoding_ = false;
  bool identity_ = false;
};

// "GET /target HTTP/1.1\r\n<fields>[Content-Length: n\r\n]Host: <host>\r\n\r\n"
// into `out` (replaced), framed as Beast's prepare_payload() frames a request:
// Content-Length when the body is not empty or the method is OPTIONS, PUT or
// POST, nothing otherwise.
void write_request_head(const Request& request, std::string_view host, std::string& out);

}  // namespace yxgate::upstream
