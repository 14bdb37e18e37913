#pragma once
// Yunxin request signing (SPEC §2): AppKey, Nonce, CurTime, CheckSum.
#include <cstdint>
#include <string>
#include <string_view>

namespace yxgate::signing {

struct SigningHeaders {
  std::string app_key;
  std::string nonce;      // 32 lowercase hex chars from a CSPRNG
  std::string cur_time;   // UTC seconds since the epoch, decimal
  std::string check_sum;  // lowercase hex SHA1(secret + nonce + cur_time)
};

// Lowercase hex SHA1(app_secret + nonce + cur_time).
std::string check_sum(std::string_view app_secret, std::string_view nonce,
                      std::string_view cur_time);

// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex.
std::string random_hex(std::size_t bytes);

std::string make_nonce();

// The vendor's trace header (SPEC §2): forwarded upstream, returned to the
// client, and the key of a retried write (SPEC §11.4).
inline constexpr std::string_view kTraceHeader = "X-custom-traceid";

// A fresh X-custom-traceid (UUID v4 text form) from the CSPRNG: unpredictable
// to anyone who has seen other ids.
std::string make_trace_id();
// The same into `id`, reusing its buffer (a connection's request record).
void make_trace_id(std::string& id);

SigningHeaders sign(std::string_view app_key, std::string_view app_secret,
                    std::int64_t unix_seconds);

// The same four headers, fresh nonce included, appended to `out` as
// "AppKey: ...\r\nNonce: ...\r\nCurTime: ...\r\nCheckSum: ...\r\n" lines
// (the way upstream requests carry their fields), with no string of their own.
void append_signing_fields(std::string& out, std::string_view app_key, std::string_view app_secret,
                           std::int64_t unix_seconds);

// Constant-time equality for secrets and checksums.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace yxgate::signing
