#pragma once
// The API routes the emulator answers like the vendor (emulator/README.md).
// Each is a function of the request and the store; none touches sockets.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faults.hpp"
#include "message.hpp"
#include "message_store.hpp"
#include "request.hpp"
#include "result.hpp"
#include "target.hpp"

namespace yxgate::emulator {

struct RouteContext {
  const Request& request;
  const Target& target;
  MessageStore& store;
  const Fault* fault = nullptr;  // failed_code: batch_messages fails every item with it
};

// Dispatches a signed, fault-free API call.
Reply handle_route(Route route, const RouteContext& ctx);

// The message ids a call asks for (for /_emulator/stats); empty when none.
std::vector<std::uint64_t> asked_ids(Route route, const RouteContext& ctx);

// message_routes.cpp
Reply get_message(const RouteContext& ctx);
Reply batch_messages(const RouteContext& ctx);
Reply modify_message(const RouteContext& ctx);
Reply delete_message(const RouteContext& ctx);
Reply clear_conversation(const RouteContext& ctx);
// A message object as sent to POST /_emulator/messages.
Result<Message> message_from_json(std::string_view json);

// listing_routes.cpp
Reply chatroom_messages(const RouteContext& ctx);
Reply conversations(const RouteContext& ctx);  // GET ?conversation_ids= or POST (v2.1) body
Reply echo(const RouteContext& ctx);
// Paging shared by the listing routes: `limit` 1..100, `page_token` = the
// decimal offset (< total), and the page's opening `{"has_more":..`.
inline constexpr int kMaxLimit = 100;  // api-docs 002/003: 1..100, else 414
Result<int> parse_limit(const Target& target);
Result<int> parse_page_token(const Target& target, int total);
std::string page_header(int end, int total);

// history_route.cpp: GET .../conversations/{cid}/messages, both prefixes.
Reply conversation_messages(const RouteContext& ctx);

// thread_routes.cpp: /im/v2/ and /im/v2.1/ thread pages.
Reply thread_messages(const RouteContext& ctx);
// The root id text a thread call names (for /_emulator/stats ids).
std::optional<std::string> thread_root_param(const Target& target);

// Shared by both files: HTTP 200, code 414, "parameter error: <what>".
Reply parameter_error(std::string_view what);
Reply ok(std::string_view data_json);

}  // namespace yxgate::emulator
