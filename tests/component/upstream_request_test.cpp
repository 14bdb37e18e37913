// The request a client's request becomes upstream (SPEC §2, §3.4, §11.1):
// end-to-end fields in the client's order, hop-by-hop, client-only and the
// client's trace id gone, framing and Host the gateway's own.
#include "upstream/upstream_request.hpp"

#include <gtest/gtest.h>

#include "upstream/header_filter.hpp"
#include "upstream/reply_decoding.hpp"
#include "upstream/upstream_caller.hpp"

namespace yxgate::upstream {
namespace {

namespace http = boost::beast::http;
using Coding = UpstreamCaller::ReplyCoding;

server::HttpRequest client_request(http::verb method, std::string body = {}) {
  server::HttpRequest request{method, "/im/v2/chatrooms/12/messages?limit=3", 11};
  request.insert("Host", "gateway:8080");
  request.insert("User-Agent", "sdk/1");
  request.insert("Connection", "keep-alive, X-Drop");
  request.insert("X-Drop", "1");
  request.insert("x-keep", "a");
  request.insert("appkey", "forged");
  request.insert("Nonce", "forged");
  request.insert("CurTime", "1");
  request.insert("CHECKSUM", "0");
  request.insert("Authorization", "Bearer client-token");
  request.insert("X-Yxgate-App", "default");
  request.insert("Keep-Alive", "timeout=5");
  request.insert("TE", "trailers");
  request.insert("Accept-Encoding", "gzip");
  request.insert("x-custom-traceid", "client-trace");
  request.insert("Expect", "100-continue");
  request.insert("Proxy-Authorization", "Basic x");
  request.insert("Upgrade", "h2c");
  request.insert("Trailer", "X-T");
  request.insert("Connection", "x-late");
  request.insert("Accept", "*/*");
  request.insert("X-Late", "named by the second Connection field");
  request.insert("X-Dup", "1");
  request.insert("X-Dup", "2");
  if (!body.empty()) request.insert("Content-Length", std::to_string(body.size()));
  request.body() = std::move(body);
  return request;
}

std::string head_of(const Request& request) {
  std::string head;
  write_request_head(request, "upstream.example:8443", head);
  return head;
}

TEST(UpstreamRequest, EndToEndFieldsKeepTheClientsOrderAndTheRestIsDropped) {
  auto client = client_request(http::verb::get);
  const auto up = UpstreamCaller::from_client(client);
  EXPECT_EQ(head_of(up),
            "GET /im/v2/chatrooms/12/messages?limit=3 HTTP/1.1\r\n"
            "User-Agent: sdk/1\r\n"
            "x-keep: a\r\n"
            "Accept-Encoding: gzip\r\n"
            "Accept: */*\r\n"
            "X-Dup: 1\r\n"
            "X-Dup: 2\r\n"
            "Host: upstream.example:8443\r\n\r\n");
  EXPECT_FALSE(reads_reply(up));
}

// What the gateway sent before upstream requests were text: the client's
// fields copied into a beast::fields, filtered by header_filter, then
// `Accept-Encoding: identity` set on parsed routes.
TEST(UpstreamRequest, FieldsAreWhatCopyingAndFilteringTheClientsFieldsLeaves) {
  for (const auto coding : {Coding::kAsClientAsks, Coding::kIdentity}) {
    auto client = client_request(http::verb::post, R"({"a":1})");
    http::fields expected;
    for (const auto& field : client) expected.insert(field.name_string(), field.value());
    remove_hop_by_hop(expected);
    remove_client_only(expected);
    expected.erase("X-custom-traceid");
    if (coding == Coding::kIdentity) expected.set(http::field::accept_encoding, "identity");
    std::string text;
    for (const auto& field : expected) {
      text.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
    }
    const auto up = UpstreamCaller::from_client(client, coding);
    EXPECT_EQ(up.fields(), text);
    EXPECT_EQ(up.body(), R"({"a":1})");
    EXPECT_EQ(reads_reply(up), coding == Coding::kIdentity);
  }
}

TEST(UpstreamRequest, IdentityReplacesTheClientsAcceptEncodingLast) {
  auto client = client_request(http::verb::get);
  const auto up = UpstreamCaller::from_client(client, Coding::kIdentity);
  EXPECT_EQ(up.fields(),
            "User-Agent: sdk/1\r\nx-keep: a\r\nAccept: */*\r\nX-Dup: 1\r\nX-Dup: 2\r\n"
            "Accept-Encoding: identity\r\n");
  EXPECT_TRUE(reads_reply(up));
}

// As Beast's prepare_payload(): a length when there is a body or the
// method is OPTIONS, PUT or POST; none otherwise.
TEST(UpstreamRequest, FramingIsTheGatewaysOwn) {
  Request post{http::verb::post, "/p"};
  EXPECT_EQ(head_of(post),
            "POST /p HTTP/1.1\r\nContent-Length: 0\r\nHost: upstream.example:8443\r\n\r\n");
  Request put{http::verb::put, "/p"};
  put.body() = "12345";
  EXPECT_EQ(head_of(put),
            "PUT /p HTTP/1.1\r\nContent-Length: 5\r\nHost: upstream.example:8443\r\n\r\n");
  Request del{http::verb::delete_, "/d"};
  EXPECT_EQ(head_of(del), "DELETE /d HTTP/1.1\r\nHost: upstream.example:8443\r\n\r\n");
  Request patch{http::verb::patch, "/d"};
  patch.body() = "x";
  EXPECT_EQ(head_of(patch),
            "PATCH /d HTTP/1.1\r\nContent-Length: 1\r\nHost: upstream.example:8443\r\n\r\n");
}

}  // namespace
}  // namespace yxgate::upstream
