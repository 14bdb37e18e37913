// write_head must produce exactly what Beast's serializer writes before the
// body: clients and upstream parse these bytes.
#include "server/http_head.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/write.hpp>
#include <sstream>

namespace yxgate::server {
namespace {

template <class Message>
std::string beast_head(const Message& message) {
  std::ostringstream out;
  out << message.base();
  return out.str();
}

TEST(HttpHead, ResponseMatchesBeast) {
  auto response =
      make_error_response(http::status::too_many_requests, 416, "slow down", "rate_limited");
  response.set("X-custom-traceid", "abc");
  response.keep_alive(false);
  std::string head;
  write_head(response, head);
  EXPECT_EQ(head, beast_head(response));
  EXPECT_TRUE(head.starts_with("HTTP/1.1 429 Too Many Requests\r\n")) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n"));
}

TEST(HttpHead, HttpOneZeroAndCustomReason) {
  HttpResponse response{http::status::ok, 10};
  response.reason("Fine");
  response.set(http::field::content_type, "text/plain");
  response.body() = "x";
  response.prepare_payload();
  std::string head = "leftover from the previous response";
  write_head(response, head);
  EXPECT_EQ(head, beast_head(response));
  EXPECT_TRUE(head.starts_with("HTTP/1.0 200 Fine\r\n")) << head;
}

TEST(HttpHead, RequestMatchesBeast) {
  HttpRequest request{http::verb::post, "/im/v2/conversations/a%7C1%7Cb/batch_messages?x=1", 11};
  request.set(http::field::host, "open.yunxinapi.com");
  request.set("CheckSum", "0123");
  request.body() = R"({"messages":[]})";
  request.prepare_payload();
  std::string head;
  write_head(request, head);
  EXPECT_EQ(head, beast_head(request));
  EXPECT_TRUE(
      head.starts_with("POST /im/v2/conversations/a%7C1%7Cb/batch_messages?x=1 HTTP/1.1\r\n"));
}

}  // namespace
}  // namespace yxgate::server
