#include "signing/signer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace yxgate::signing {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string to_hex(const unsigned char* data, std::size_t size) {
  std::string out(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0x0f];
  }
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

// SHA1() fetches the algorithm from OpenSSL 3's providers on every call
// (EVP_Q_digest -> EVP_MD_fetch, about a third of its cost; every upstream
// call is signed): fetched once per process, one digest context per thread.
bool sha1(std::string_view input, unsigned char* digest) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(),
                                                                            &EVP_MD_CTX_free);
  unsigned int size = 0;
  return md != nullptr && ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), input.data(), input.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), digest, &size) == 1 && size == SHA_DIGEST_LENGTH;
}

}  // namespace

std::string check_sum(std::string_view app_secret, std::string_view nonce,
                      std::string_view cur_time) {
  std::string input;
  input.reserve(app_secret.size() + nonce.size() + cur_time.size());
  input.append(app_secret).append(nonce).append(cur_time);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  if (!sha1(input, digest.data())) {
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  }
  OPENSSL_cleanse(input.data(), input.size());  // it holds the secret
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
  std::array<unsigned char, 16> b{};
  take_random(b.data(), b.size());
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  id.assign(36, '-');           // 8-4-4-4-12 hex digits
  std::size_t out = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (out == 8 || out == 13 || out == 18 || out == 23) ++out;
    id[out++] = kHex[b[i] >> 4];
    id[out++] = kHex[b[i] & 0x0f];
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

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace yxgate::signing
