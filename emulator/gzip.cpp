#include "gzip.hpp"

#include <zlib.h>

#include <cctype>
#include <stdexcept>

namespace yxgate::emulator {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The q value of one list member ("gzip;q=0.5"); 1 when absent.
double quality(std::string_view params) {
  while (!params.empty()) {
    const auto semi = params.find(';');
    const auto param = trim(params.substr(0, semi));
    if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      try {
        return std::stod(std::string(param.substr(2)));
      } catch (const std::exception&) {
        return 0;  // an unreadable weight: do not assume the coding is welcome
      }
    }
    if (semi == std::string_view::npos) break;
    params.remove_prefix(semi + 1);
  }
  return 1;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  double gzip_q = -1;
  double star_q = -1;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const auto member = trim(accept_encoding.substr(0, comma));
    const auto semi = member.find(';');
    const auto coding = lower(trim(member.substr(0, semi)));
    const double q = semi == std::string_view::npos ? 1 : quality(member.substr(semi + 1));
    if (coding == "gzip" || coding == "x-gzip") gzip_q = q;
    if (coding == "*") star_q = q;
    if (comma == std::string_view::npos) break;
    accept_encoding.remove_prefix(comma + 1);
  }
  if (gzip_q >= 0) return gzip_q > 0;
  return star_q > 0;
}

std::string gzip_compress(std::string_view data) {
  z_stream zs{};
  // windowBits 15 + 16: write a gzip header and trailer, not a zlib one.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

}  // namespace yxgate::emulator
