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

#include "coalesce/ticket.hpp"
#include "router/conversation_id.hpp"

namespace yxgate::coalesce {

class FillSink {
 public:
  virtual FillTicket ticket(std::uint32_t app, std::uint64_t id) const = 0;
  // `message_json` is the message object verbatim as upstream returned it.
  virtual boost::asio::awaitable<void> fill_message(std::size_t worker, const FillTicket& ticket,
                                                    std::string message_json) = 0;
  // Upstream's 107404 for this exact question.
  virtual boost::asio::awaitable<void> fill_not_found(
      std::size_t worker, const FillTicket& ticket, const router::ConversationId& conversation,
      std::optional<std::uint64_t> message_time) = 0;

 protected:
  ~FillSink() = default;
};

}  // namespace yxgate::coalesce
