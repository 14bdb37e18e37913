#pragma once
// The API routes the emulator answers like the vendor (emulator/README.md).
// Each is a function of the request and the store; none touches sockets.
#include <cstdint>
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
Reply thread_messages(const RouteContext& ctx);
Reply conversations(const RouteContext& ctx);
Reply echo(const RouteContext& ctx);

// Shared by both files: HTTP 200, code 414, "parameter error: <what>".
Reply parameter_error(std::string_view what);
Reply ok(std::string_view data_json);

}  // namespace yxgate::emulator
