#pragma once
// The worker a batch call leaves from (SPEC §3.1.6): the coalescing core
// hands it the call to send on that worker's upstream connections, then what
// came back to write on that worker's way to the cache. The gateway's
// per-worker object implements it; the core never sees a worker index.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

#include "coalesce/item_result.hpp"
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

class Lane {
 public:
  // Sends one batch call. Errors are values (kBatchFailed results); the call
  // stays valid until the returned awaitable completes.
  virtual boost::asio::awaitable<BatchOutcome> send(const BatchCall& call) = 0;
  // Everything one call brought back, at once: written in one round trip
  // and bounded by one budget. Each fill is applied only if its key is
  // unchanged since its ticket, checked atomically with the write, so a fill
  // that raced a mutation is vetoed. Waiters are answered before it (they do
  // not wait on Redis); the call stays joinable until it is done.
  virtual boost::asio::awaitable<void> fill(const router::ConversationId& conversation,
                                            std::vector<Fill> fills) = 0;

 protected:
  ~Lane() = default;
};

}  // namespace yxgate::coalesce
