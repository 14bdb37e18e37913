#include "upstream/reply_decoding.hpp"

#include "fidelity/content_coding.hpp"

namespace yxgate::upstream {
namespace http = boost::beast::http;

namespace {
// As upstream_client's own limit on a reply body.
constexpr std::size_t kMaxDecodedBytes = 64ull * 1024 * 1024;
}  // namespace

bool reads_reply(const upstream::Request& request) { return request.asks_identity(); }

void decode_reply_body(upstream::Outcome& outcome) {
  if (outcome.failure != upstream::Failure::kNone) return;
  auto& response = outcome.response;
  const auto coding = response[http::field::content_encoding];
  if (coding.empty()) return;
  auto decoded = fidelity::decode_content(coding, response.body(), kMaxDecodedBytes);
  if (!decoded) {
    outcome.failure = upstream::Failure::kProtocol;
    outcome.detail = "undecodable reply body: " + decoded.error().message;
    return;
  }
  response.body() = std::move(*decoded);
  response.erase(http::field::content_encoding);
}

}  // namespace yxgate::upstream
