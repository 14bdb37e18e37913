#pragma once
// Reading an upstream reply body as sent (SPEC §11.1): the gateway asks for
// `identity` on the routes it parses, but an upstream (or a proxy in front
// of it) may compress anyway; `gzip` and `deflate` are decoded with zlib
// rather than failing. Pure logic, no I/O.
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace yxgate::fidelity {

// Decodes `body` sent with `Content-Encoding: <content_encoding>` (a comma
// list, applied in order; `identity` and empty mean none). Fails on an
// unknown coding, corrupt data, or output over `max_bytes`.
Result<std::string> decode_content(std::string_view content_encoding, std::string_view body,
                                   std::size_t max_bytes);

// Test helper and reference: gzip (`gzip`) or zlib (`deflate`) encoding.
std::string encode_content(std::string_view coding, std::string_view body);

}  // namespace yxgate::fidelity
