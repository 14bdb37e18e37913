#include "support/sdk_client.hpp"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>
#include <stdexcept>

#include "signing/signer.hpp"

namespace yxgate::testing {
namespace {

constexpr std::string_view kRetryTexts[] = {"timeout", "connection refused", "connection reset",
                                            "no such host", "network unreachable"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool mentions_retry_text(std::string_view text) {
  const auto low = lower(text);
  return std::any_of(std::begin(kRetryTexts), std::end(kRetryTexts),
                     [&](std::string_view word) { return low.find(word) != std::string::npos; });
}

// Go's transport asks for gzip itself and decodes it before the SDK sees it.
bool gunzip(std::string& body) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return false;
  stream.next_in = reinterpret_cast<Bytef*>(body.data());
  stream.avail_in = static_cast<uInt>(body.size());
  std::string out;
  char chunk[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - stream.avail_out);
  }
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) return false;
  body = std::move(out);
  return true;
}

std::string percent_encode(std::string_view raw) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : raw) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace

SdkClient::SdkClient(SdkOptions options) : options_(std::move(options)) {
  if (options_.ports.empty()) throw std::invalid_argument("SdkClient: no port");
}

std::string SdkClient::new_trace_id() {
  static std::atomic<int> counter{0};
  return "sdk-" + signing::make_trace_id() + "-" + std::to_string(++counter);
}

bool SdkClient::retryable(const HttpResponse& response) {
  if (!response.ok()) return mentions_retry_text(response.error);
  if (response.status == 502) return true;
  // The SDKs turn any non-200 into an error whose text includes the body.
  return response.status != 200 && mentions_retry_text(response.body);
}

SdkResult SdkClient::call(std::string_view method, std::string_view path, std::string_view body,
                          std::string trace_id) {
  SdkResult result;
  result.trace_id = trace_id.empty() ? new_trace_id() : std::move(trace_id);
  for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
    const auto signing = signing::sign(options_.app_key, options_.app_secret, std::time(nullptr));
    Headers headers{{"Appkey", signing.app_key},           {"Nonce", signing.nonce},
                    {"Curtime", signing.cur_time},         {"Checksum", signing.check_sum},
                    {"X-Custom-Traceid", result.trace_id}, {"Accept-Encoding", "gzip"}};
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json;charset=utf-8");
    const auto port = options_.ports[next_port_++ % options_.ports.size()];
    auto response = request(port, method, path, headers, body, options_.timeout);
    if (response.ok() && response.header("Content-Encoding") == std::string("gzip") &&
        !gunzip(response.body)) {
      response.error = "gzip: invalid body";
    }
    const bool again = retryable(response);
    result.attempts.push_back(std::move(response));
    if (!again) break;
  }
  return result;
}

SdkResult SdkClient::modify_message(std::string_view conversation_id,
                                    std::uint64_t message_server_id, std::string_view text,
                                    std::string trace_id) {
  (void)conversation_id;  // modifyMsg names the message by id only
  const auto body = R"({"message":{"message_server_id":)" + std::to_string(message_server_id) +
                    R"(,"text":")" + std::string(text) + R"("}})";
  return call("POST", "/im/v2/messages/actions/modifyMsg", body, std::move(trace_id));
}

SdkResult SdkClient::query_message(std::string_view conversation_id,
                                   std::uint64_t message_server_id, std::string trace_id) {
  return call("GET",
              options_.query_prefix + "conversations/" + percent_encode(conversation_id) +
                  "/messages/" + std::to_string(message_server_id),
              {}, std::move(trace_id));
}

}  // namespace yxgate::testing
