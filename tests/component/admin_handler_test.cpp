// The admin handler on its own (no sockets): what depends on who is asking.
#include "admin/admin_handler.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace yxgate::admin {
namespace {

namespace asio = boost::asio;
namespace http = server::http;

server::HttpResponse call(AdminHandler& handler, http::verb method, std::string target,
                          const char* from) {
  asio::io_context io;
  server::HttpRequest request{method, target, 11};
  server::ClientInfo client{asio::ip::make_address(from), 0};
  auto future = asio::co_spawn(io, handler.handle(request, client), asio::use_future);
  io.run();
  return future.get();
}

TEST(AdminHandler, PurgeFromANonLoopbackAddressIsForbidden) {
  server::ServerState state;
  AdminHandler handler(state, "{}", {});
  const auto remote =
      call(handler, http::verb::post, "/admin/cache/purge?message_server_id=1", "192.0.2.10");
  EXPECT_EQ(remote.result_int(), 403);
  EXPECT_EQ(remote[server::kErrorHeader], "forbidden");
  const auto remote6 =
      call(handler, http::verb::post, "/admin/cache/purge?message_server_id=1", "2001:db8::1");
  EXPECT_EQ(remote6.result_int(), 403);
  EXPECT_EQ(call(handler, http::verb::post, "/admin/cache/purge?message_server_id=1", "127.0.0.1")
                .result_int(),
            200);
  EXPECT_EQ(
      call(handler, http::verb::post, "/admin/cache/purge?message_server_id=1", "::1").result_int(),
      200);
  EXPECT_EQ(
      call(handler, http::verb::post, "/admin/cache/purge?message_server_id=1", "::ffff:127.0.0.1")
          .result_int(),
      200);
  EXPECT_EQ(
      call(handler, http::verb::post, "/admin/cache/purge?message_server_id=1", "::ffff:192.0.2.10")
          .result_int(),
      403);
}

TEST(AdminHandler, ReadOnlyEndpointsAnswerAnyone) {
  server::ServerState state;
  state.ready = true;
  AdminHandler handler(state, R"({"redacted":true})", nullptr);
  EXPECT_EQ(call(handler, http::verb::get, "/healthz", "192.0.2.10").result_int(), 200);
  EXPECT_EQ(call(handler, http::verb::get, "/config", "192.0.2.10").body(), R"({"redacted":true})");
  state.draining = true;
  EXPECT_EQ(call(handler, http::verb::get, "/readyz", "192.0.2.10").result_int(), 503);
}

// RFC 9110 §9.1: HEAD wherever GET is; HEAD-based health checks failed on 405.
TEST(AdminHandler, ReadOnlyEndpointsAnswerHeadAsGet) {
  server::ServerState state;
  state.ready = true;
  AdminHandler handler(state, R"({"redacted":true})", nullptr);
  for (const auto* path : {"/healthz", "/readyz", "/metrics", "/config"}) {
    const auto head = call(handler, http::verb::head, path, "127.0.0.1");
    const auto get = call(handler, http::verb::get, path, "127.0.0.1");
    EXPECT_EQ(head.result_int(), 200) << path;
    EXPECT_EQ(head[http::field::content_type], get[http::field::content_type]) << path;
  }
  const auto post = call(handler, http::verb::post, "/healthz", "127.0.0.1");
  EXPECT_EQ(post.result_int(), 405);
  EXPECT_EQ(post[http::field::allow], "GET, HEAD");
}

// The purge's id is read as the data plane reads query values: decoded.
TEST(AdminHandler, PurgeReadsAPercentEncodedId) {
  server::ServerState state;
  std::vector<std::uint64_t> purged;
  AdminHandler handler(state, "{}", [&](std::uint64_t id, std::size_t) -> asio::awaitable<void> {
    purged.push_back(id);
    co_return;
  });
  EXPECT_EQ(
      call(handler, http::verb::post, "/admin/cache/purge?message_server_id=%3705", "127.0.0.1")
          .result_int(),
      200);
  EXPECT_EQ(purged, std::vector<std::uint64_t>{705});
  EXPECT_EQ(call(handler, http::verb::post, "/admin/cache/purge?message_server_id=%ZZ", "127.0.0.1")
                .result_int(),
            400);
}

}  // namespace
}  // namespace yxgate::admin
