#pragma once
// The start line and header fields of an HTTP/1.x message as text, the way
// Beast's serializer writes them. The hot paths send this and the body in
// one gather write: Beast's buffer-sequence serializer cost ~10% of a cache
// hit's CPU (issue 8 profile).
#include <string>

#include "server/http_types.hpp"

namespace yxgate::server {

// Replaces `out` with "HTTP/1.1 200 OK\r\n<fields>\r\n".
void write_head(const HttpResponse& response, std::string& out);
// Replaces `out` with "GET /target HTTP/1.1\r\n<fields>\r\n".
void write_head(const HttpRequest& request, std::string& out);

}  // namespace yxgate::server
