#include "auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

#include "vendor_text.hpp"

namespace yxgate::emulator {
namespace {

// Lowercase hex SHA1 of `text` (SPEC §2), computed with OpenSSL's EVP API.
std::string sha1_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), text.data(), text.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
    return {};  // never equal to a 40-character CheckSum
  }
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace

std::optional<std::string> check_signature(const Request& request, const AppSecrets& apps,
                                           std::int64_t now_seconds) {
  const auto app_key = request.header("AppKey");
  const auto nonce = request.header("Nonce");
  const auto cur_time = request.header("CurTime");
  const auto check_sum = request.header("CheckSum");
  if (app_key.empty()) return "appkey missing";
  const auto app = apps.find(app_key);
  if (app == apps.end()) return "appkey not exist";
  if (nonce.empty()) return "nonce missing";
  if (cur_time.empty()) return "curtime missing";
  if (check_sum.empty()) return "checksum missing";
  const auto seconds = java_parse_long(cur_time);
  if (!seconds) return "curtime invalid";
  // Compared this way round: now - CurTime could overflow for a huge CurTime.
  if (*seconds < now_seconds - kCurTimeWindowSeconds ||
      *seconds > now_seconds + kCurTimeWindowSeconds) {
    return "curtime expired";
  }
  std::string material = app->second;
  material.append(nonce).append(cur_time);
  const auto expected = sha1_hex(material);
  // Constant time: the comparison must not tell how many leading characters match.
  if (expected.size() != check_sum.size() ||
      CRYPTO_memcmp(expected.data(), check_sum.data(), expected.size()) != 0) {
    return "checksum error";
  }
  return std::nullopt;
}

}  // namespace yxgate::emulator
