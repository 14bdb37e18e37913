#pragma once
// Decodes a gzip body in a test (zlib; the test links ZLIB::ZLIB). Returns a
// marker text instead of throwing, so an assertion shows what went wrong.
#include <zlib.h>

#include <string>
#include <string_view>

namespace yxgate::testing {

inline std::string gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return "<inflateInit2 failed>";
  std::string out(64 * 1024, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "<not gzip>";
}

}  // namespace yxgate::testing
