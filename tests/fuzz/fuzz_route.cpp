// libFuzzer target: request routing and parameter validation on hostile
// request targets and headers (issue 7). Input: "METHOD\nTARGET\nAUTH".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/client_auth.hpp"
#include "fidelity/message_params.hpp"
#include "fidelity/parsed_request.hpp"
#include "router/path_guard.hpp"
#include "router/route.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yxgate;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nl = input.find('\n');
  const auto method = input.substr(0, nl);
  auto rest = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);
  const auto nl2 = rest.find('\n');
  const auto target_text = rest.substr(0, nl2);
  const auto authorization =
      nl2 == std::string_view::npos ? std::string_view{} : rest.substr(nl2 + 1);

  const auto target = router::split_target(target_text);
  const bool path_ok = router::check_path(target.path).ok();
  const auto route = router::classify(method, target.path);
  if (route.kind == router::RouteKind::kGetMessage) {
    auto lookup = fidelity::parse_message_lookup(route.conversation_id, route.message_server_id,
                                                 target.query);
    // SPEC §11.1: what is forwarded (for a path the guard let through)
    // must read back as the same question.
    if (lookup && path_ok) {
      const auto forwarded = fidelity::single_get_target(route.prefix, *lookup);
      const auto again_target = router::split_target(forwarded);
      const auto again_route = router::classify("GET", again_target.path);
      auto again = fidelity::read_single_get(again_route.conversation_id,
                                             again_route.message_server_id, again_target.query);
      if (!again || fidelity::single_get_target(again_route.prefix, *again) != forwarded ||
          !router::check_path(again_target.path)) {
        __builtin_trap();
      }
    }
  }
  if (route.kind == router::RouteKind::kDeleteMessage ||
      route.kind == router::RouteKind::kClearConversation) {
    (void)fidelity::read_mutation(route, target.query, {});
  }
  (void)router::find_query_param(target.query, "message_time");
  static const auth::ClientAuthorizer clients(
      {config::ClientConfig{"c",
                            "4c5dc9b7708905f77f5e5d16316b5dfb425e68cb326dcd55a860e90a7707031e",
                            {"GET /im/v2/conversations/*/messages/*", "* /im/v2/chatrooms/**"}}});
  const auto verdict = clients.check(authorization, method, target.path);
  // An allowed path must never contain a traversal the guard would refuse.
  if (path_ok && verdict.verdict == auth::Verdict::kAllowed &&
      target.path.find("/../") != std::string_view::npos) {
    __builtin_trap();
  }
  return 0;
}
