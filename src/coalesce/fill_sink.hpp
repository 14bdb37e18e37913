#pragma once
// Where the coalescing core writes what a call brought back (SPEC §3.1.6):
// the pipeline's cache layers. Tickets follow the rules in ticket.hpp; the
// sink applies a fill only if its key is unchanged since the ticket, checked
// atomically with the write, so a fill that raced a mutation is vetoed.
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coalesce/ticket.hpp"
#include "router/conversation_id.hpp"

namespace yxgate::coalesce {

// One item of a call's answer that the cache may keep (SPEC §3.1.6).
struct Fill {
  enum class Kind { kMessage, kNotFound };
  Kind kind = Kind::kMessage;
  const FillTicket* ticket = nullptr;
  std::string_view message_json;  // kMessage: the message object verbatim
  std::uint64_t create_time = 0;  // kNotFound: upstream's 107404 for (id, create_time)
};

class FillSink {
 public:
  virtual FillTicket ticket(std::uint32_t app, std::uint64_t id) const = 0;
  // Everything one call brought back, at once: the sink may write it in one
  // round trip and bounds it by one budget. Waiters are answered before it
  // (they do not wait on Redis); the call stays joinable until it is done.
  virtual boost::asio::awaitable<void> fill_call(std::size_t worker,
                                                 const router::ConversationId& conversation,
                                                 std::vector<Fill> fills) = 0;

 protected:
  ~FillSink() = default;
};

}  // namespace yxgate::coalesce
