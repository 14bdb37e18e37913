#pragma once
// Coalescing core (SPEC §3.1 steps 4-5, §3.2). Concurrent lookups of
// messages of one conversation fold into one batch call. One open batch per
// (app, conversation_id); it leaves coalesce.window after its first item or
// when it holds coalesce.max_batch distinct items, whichever is first.
// Adaptive batching: a batch opened while an earlier one of its key is in
// flight is held instead: it leaves when no earlier call of its key is in
// flight any more (the last one returned), when it holds max_batch items, or
// coalesce.max_hold after its first item, whichever is first.
// Each distinct (id, create_time) is asked once however many requests wait
// on it: a lookup of an item a sent batch still asks for waits on that call,
// unless a mutation of it happened since the call's ticket (ticket.hpp).
//
// The core knows neither upstream nor the cache: it gets a ticket source, a
// timer source and, with each lookup, the lane (the worker) it runs on.
// Shared by all workers behind one mutex; a batch is sent on the lane and
// executor of the request that closed it, and every waiter is woken on its
// own executor.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "coalesce/item_result.hpp"
#include "coalesce/lane.hpp"
#include "coalesce/ticket.hpp"
#include "coalesce/timers.hpp"

namespace yxgate::coalesce {

struct BatcherOptions {
  std::chrono::nanoseconds window{std::chrono::milliseconds(2)};
  std::chrono::nanoseconds max_hold{std::chrono::milliseconds(20)};
  std::size_t max_batch = 100;
};

class Batcher {
 public:
  Batcher(BatcherOptions options, TicketSource& tickets, Timers& timers);
  ~Batcher();

  // Asks for `items` of one conversation; results in the same order. Runs
  // on the calling worker's executor; `lane` is that worker's. Throws operation_aborted if the
  // caller is cancelled while waiting (the call goes on for the others).
  boost::asio::awaitable<std::vector<ItemResult>> fetch(Lane& lane, std::uint32_t app,
                                                        std::string_view encoded_conversation,
                                                        const router::ConversationId& conversation,
                                                        const std::vector<cache::BatchItem>& items,
                                                        std::string_view client_trace_id);

 private:
  struct Batch;
  struct Waiter;
  struct State;
  // The window (or hold) of `batch` has passed.
  void on_timer(const std::shared_ptr<Batch>& batch);
  boost::asio::awaitable<void> transmit(std::shared_ptr<Batch> batch);
  // The call returned: every waiter registered so far gets its results.
  void answer_waiters(Batch& batch, const BatchOutcome& outcome);
  // Under the state's lock: answers the registrations not answered yet.
  void answer_registered(Batch& batch);
  // The fills are written: the batch leaves the in-flight list.
  void deliver(Batch& batch, const BatchOutcome& outcome);

  BatcherOptions options_;
  TicketSource& tickets_;
  Timers& timers_;
  std::unique_ptr<State> state_;
};

}  // namespace yxgate::coalesce
