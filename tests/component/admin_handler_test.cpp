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

}  // namespace
}  // namespace yxgate::admin
