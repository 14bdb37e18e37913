#include "signing/signer.hpp"

// SHA1_Init/Update/Final are deprecated in OpenSSL 3 but present: see sha1().
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace yxgate::signing {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex(const unsigned char* data, std::size_t size, std::string& out) {
  const auto at = out.size();
  out.resize(at + size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out[at + 2 * i] = kHex[data[i] >> 4];
    out[at + 2 * i + 1] = kHex[data[i] & 0x0f];
  }
}

std::string to_hex(const unsigned char* data, std::size_t size) {
  std::string out;
  append_hex(data, size, out);
  return out;
}

void fill_random(unsigned char* data, std::size_t size) {
  // RAND_bytes only fails when the CSPRNG cannot be seeded; signing with a
  // predictable nonce would be worse than failing the request loudly.
  if (RAND_bytes(data, static_cast<int>(size)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
}

// CSPRNG bytes drawn 4 KiB at a time per thread: RAND_bytes costs a
// getpid() syscall and a DRBG call each time, ~10% of a cache hit's CPU if
// called per request (issue 8 profile). Every byte is handed out once and
// wiped from the pool. Trace ids come from here too: ids from a seeded PRNG
// let an observer of three ids predict the next ones (issue 14). Nothing
// here forks without exec, so no pool is ever shared by two processes.
void take_random(unsigned char* out, std::size_t size) {
  thread_local std::array<unsigned char, 4096> pool{};
  thread_local std::size_t used = pool.size();
  while (size > 0) {
    if (used == pool.size()) {
      fill_random(pool.data(), pool.size());
      used = 0;
    }
    const auto n = std::min(size, pool.size() - used);
    std::memcpy(out, pool.data() + used, n);
    OPENSSL_cleanse(pool.data() + used, n);
    used += n;
    out += n;
    size -= n;
  }
}

// SHA-1 of secret + nonce + cur_time, fed piece by piece (no copy of the
// secret to wipe), through the low-level functions on a stack context.
// SHA1() fetches the algorithm from OpenSSL 3's providers on every call, and
// EVP_DigestInit_ex2 even with a fetched EVP_MD does provider look-ups and
// takes a lock (issue 18 profile: ~0.9k instructions a signature). SHA1_Final
// wipes the block buffer that held the secret; what stays in the context is
// the digest, which is sent.
void sha1(std::string_view secret, std::string_view nonce, std::string_view cur_time,
          unsigned char* digest) {
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  SHA1_Update(&ctx, secret.data(), secret.size());
  SHA1_Update(&ctx, nonce.data(), nonce.size());
  SHA1_Update(&ctx, cur_time.data(), cur_time.size());
  SHA1_Final(digest, &ctx);
}

}  // namespace

std::string check_sum(std::string_view app_secret, std::string_view nonce,
                      std::string_view cur_time) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  sha1(app_secret, nonce, cur_time, digest.data());
  return to_hex(digest.data(), digest.size());
}

std::string random_hex(std::size_t bytes) {
  std::array<unsigned char, 64> buffer{};
  if (bytes > buffer.size()) bytes = buffer.size();
  take_random(buffer.data(), bytes);
  return to_hex(buffer.data(), bytes);
}

std::string make_nonce() { return random_hex(16); }

void make_trace_id(std::string& id) {
  // Made for every request that brings none: where each byte's two digits
  // go in 8-4-4-4-12, so the loop has no branch.
  static constexpr std::array<std::uint8_t, 16> kAt = {0,  2,  4,  6,  9,  11, 14, 16,
                                                       19, 21, 24, 26, 28, 30, 32, 34};
  std::array<unsigned char, 16> b{};
  take_random(b.data(), b.size());
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  id.assign(36, '-');
  for (std::size_t i = 0; i < b.size(); ++i) {
    id[kAt[i]] = kHex[b[i] >> 4];
    id[kAt[i] + 1] = kHex[b[i] & 0x0f];
  }
}

std::string make_trace_id() {
  std::string id;
  make_trace_id(id);
  return id;
}

SigningHeaders sign(std::string_view app_key, std::string_view app_secret,
                    std::int64_t unix_seconds) {
  SigningHeaders h;
  h.app_key = std::string(app_key);
  h.nonce = make_nonce();
  h.cur_time = std::to_string(unix_seconds);
  h.check_sum = check_sum(app_secret, h.nonce, h.cur_time);
  return h;
}

void append_signing_fields(std::string& out, std::string_view app_key, std::string_view app_secret,
                           std::int64_t unix_seconds) {
  std::array<unsigned char, 16> random{};
  take_random(random.data(), random.size());
  std::array<char, 32> nonce{};
  for (std::size_t i = 0; i < random.size(); ++i) {
    nonce[2 * i] = kHex[random[i] >> 4];
    nonce[2 * i + 1] = kHex[random[i] & 0x0f];
  }
  std::array<char, 24> time{};
  const auto time_end = std::to_chars(time.data(), time.data() + time.size(), unix_seconds).ptr;
  const std::string_view nonce_text(nonce.data(), nonce.size());
  const std::string_view time_text(time.data(), static_cast<std::size_t>(time_end - time.data()));
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  sha1(app_secret, nonce_text, time_text, digest.data());
  out.append("AppKey: ").append(app_key);
  out.append("\r\nNonce: ").append(nonce_text);
  out.append("\r\nCurTime: ").append(time_text);
  out.append("\r\nCheckSum: ");
  append_hex(digest.data(), digest.size(), out);
  out.append("\r\n");
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace yxgate::signing
