#include "fidelity/content_coding.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace yxgate::fidelity {
namespace {

std::string lower_trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One inflate pass; window_bits picks the wrapper (gzip 31, zlib 15, raw -15).
Result<std::string> inflate_with(std::string_view in, int window_bits, std::size_t max_bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, window_bits) != Z_OK) return make_error("zlib init failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char chunk[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&stream);
      return make_error("corrupt compressed body");
    }
    out.append(chunk, sizeof chunk - stream.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&stream);
      return make_error("decoded body too large");
    }
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      return make_error("truncated compressed body");
    }
  }
  const bool trailing = stream.avail_in != 0;
  inflateEnd(&stream);
  if (trailing) return make_error("data after the compressed body");
  return out;
}

}  // namespace

Result<std::string> decode_content(std::string_view content_encoding, std::string_view body,
                                   std::size_t max_bytes) {
  std::vector<std::string> codings;
  while (!content_encoding.empty()) {
    const auto comma = content_encoding.find(',');
    auto coding = lower_trimmed(content_encoding.substr(0, comma));
    if (!coding.empty() && coding != "identity") codings.push_back(std::move(coding));
    if (comma == std::string_view::npos) break;
    content_encoding.remove_prefix(comma + 1);
  }
  std::string current(body);
  // Codings are listed in the order they were applied: undo from the last.
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    Result<std::string> decoded = make_error("");
    if (*it == "gzip" || *it == "x-gzip") {
      decoded = inflate_with(current, 16 + MAX_WBITS, max_bytes);
    } else if (*it == "deflate") {
      // RFC 9110 deflate is zlib-wrapped; some servers send it raw.
      decoded = inflate_with(current, MAX_WBITS, max_bytes);
      if (!decoded) decoded = inflate_with(current, -MAX_WBITS, max_bytes);
    } else {
      return make_error("unsupported Content-Encoding " + *it);
    }
    if (!decoded) return decoded.error();
    current = std::move(*decoded);
  }
  return current;
}

std::string encode_content(std::string_view coding, std::string_view body) {
  z_stream stream{};
  const int window_bits = coding == "gzip" ? 16 + MAX_WBITS : MAX_WBITS;
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, static_cast<uLong>(body.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace yxgate::fidelity
