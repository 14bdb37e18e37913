#include "coalesce/batcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <map>
#include <mutex>
#include <unordered_map>

#include "coalesce/completion.hpp"
#include "common/json_escape.hpp"

namespace yxgate::coalesce {
namespace asio = boost::asio;

struct Batcher::Waiter {
  Waiter(asio::any_io_executor executor, std::size_t count)
      : done(std::move(executor)), results(count), remaining(count) {}
  Completion done;
  std::vector<ItemResult> results;  // guarded by State::mutex until done
  std::size_t remaining;
  bool abandoned = false;  // its client stopped waiting (cancelled)
  std::string trace_id;
};

struct Batcher::Batch {
  BatchCall call;
  // Where its timer fires and, once sent, where it is sent from (the
  // executor of call.lane).
  asio::any_io_executor executor;
  std::string key;
  std::vector<FillTicket> tickets;  // per item, taken when the item was added
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> index;  // (id, time) -> item
  // (waiter, item index in batch, result slot in waiter)
  struct Registration {
    std::shared_ptr<Waiter> waiter;
    std::size_t item;
    std::size_t slot;
  };
  std::vector<Registration> registrations;
  std::size_t clients = 0;  // distinct client requests waiting on this batch
  bool held = false;        // opened while an earlier batch of its key was in flight
  bool sent = false;
  // Once the call returned (until it leaves the in-flight list): its
  // outcome, and how many registrations have been answered from it.
  const BatchOutcome* outcome = nullptr;
  std::size_t answered = 0;
};

struct Batcher::State {
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<Batch>> open;
  // Sent batches awaiting their call, per key: a lookup of an item one of
  // them already asks for waits on that call instead of asking again.
  std::unordered_map<std::string, std::vector<std::shared_ptr<Batch>>> in_flight;

  // The batch leaves, sent on `lane` from `executor` (that worker's: its
  // upstream connections and Redis link are used only there). From now on
  // lookups of its ids join it (in flight); nothing may open a second batch
  // for them.
  void mark_in_flight(const std::shared_ptr<Batch>& batch, Lane& lane,
                      const asio::any_io_executor& executor) {
    batch->sent = true;
    batch->call.lane = &lane;
    batch->executor = executor;
    if (auto it = open.find(batch->key); it != open.end() && it->second == batch) open.erase(it);
    in_flight[batch->key].push_back(batch);
  }
  void forget_in_flight(const Batch& batch) {
    auto flights = in_flight.find(batch.key);
    if (flights == in_flight.end()) return;
    std::erase_if(flights->second, [&](const auto& b) { return b.get() == &batch; });
    if (flights->second.empty()) in_flight.erase(flights);
  }
};

namespace {
using ItemKey = std::pair<std::uint64_t, std::uint64_t>;

// Every batched item carries create_time (fidelity/json_body refuses others).
ItemKey item_key_of(const cache::BatchItem& item) {
  return {item.message_server_id, item.create_time};
}
}  // namespace

Batcher::Batcher(BatcherOptions options, TicketSource& tickets, Timers& timers)
    : options_(options), tickets_(tickets), timers_(timers), state_(std::make_unique<State>()) {
  options_.max_batch = std::max<std::size_t>(options_.max_batch, 1);
}

Batcher::~Batcher() = default;

asio::awaitable<std::vector<ItemResult>> Batcher::fetch(Lane& lane, std::uint32_t app,
                                                        std::string_view encoded_conversation,
                                                        const router::ConversationId& conversation,
                                                        const std::vector<cache::BatchItem>& items,
                                                        std::string_view client_trace_id) {
  const auto executor = co_await asio::this_coro::executor;
  auto waiter = std::make_shared<Waiter>(executor, items.size());
  waiter->trace_id = std::string(client_trace_id);
  if (items.empty()) co_return std::vector<ItemResult>{};
  const std::string key = std::to_string(app) + '\n' + conversation.to_string();
  std::vector<std::shared_ptr<Batch>> to_send;
  std::vector<std::shared_ptr<Batch>> opened;
  {
    std::lock_guard lock(state_->mutex);
    std::vector<const Batch*> counted;  // batches this request already waits on
    const auto register_on = [&](Batch& batch, std::size_t item, std::size_t slot) {
      batch.registrations.push_back({waiter, item, slot});
      if (std::find(counted.begin(), counted.end(), &batch) != counted.end()) return;
      ++batch.clients;
      counted.push_back(&batch);
    };
    for (std::size_t slot = 0; slot < items.size(); ++slot) {
      const auto& item = items[slot];
      const auto item_key = item_key_of(item);
      // Taken now, before joining or opening (ticket.hpp rules 1 and 2).
      auto ticket = tickets_.ticket(app, item.message_server_id);
      ticket.redis_epoch = item.redis_epoch;
      Batch* joined = nullptr;
      if (auto flights = state_->in_flight.find(key); flights != state_->in_flight.end()) {
        for (auto& batch : flights->second) {
          auto it = batch->index.find(item_key);
          if (it != batch->index.end() && may_join(batch->tickets[it->second], ticket)) {
            joined = batch.get();
            break;
          }
        }
      }
      if (joined) {
        register_on(*joined, joined->index.at(item_key), slot);
        if (joined->outcome) answer_registered(*joined);  // returned: its fills are being written
        continue;
      }
      // A copy, not a reference into state_->open: marking a batch in
      // flight erases its entry there.
      auto found = state_->open.find(key);
      std::shared_ptr<Batch> open = found == state_->open.end() ? nullptr : found->second;
      if (open && !open->index.contains(item_key) &&
          open->call.items.size() >= options_.max_batch) {
        state_->mark_in_flight(open, lane, executor);  // full: it leaves now, a new one opens
        to_send.push_back(std::move(open));
        open = nullptr;
      }
      if (!open) {
        open = std::make_shared<Batch>();
        open->call = BatchCall{&lane, app, std::string(encoded_conversation), conversation, {}};
        open->executor = executor;
        open->key = key;
        open->held = state_->in_flight.contains(key);  // adaptive batching
        state_->open[key] = open;
        opened.push_back(open);
      }
      auto [it, added] = open->index.emplace(item_key, open->call.items.size());
      if (added) {
        open->call.items.push_back(item);
        open->tickets.push_back(ticket);
      }
      register_on(*open, it->second, slot);
      if (open->call.items.size() >= options_.max_batch) {
        state_->mark_in_flight(open, lane, executor);
        to_send.push_back(std::move(open));
      }
    }
  }
  for (auto& batch : opened) {
    const auto delay = batch->held ? options_.max_hold : options_.window;
    timers_.after(delay, executor, [this, batch] { on_timer(batch); });
  }
  for (auto& batch : to_send) asio::co_spawn(executor, transmit(batch), asio::detached);
  co_await waiter->done.wait();
  std::lock_guard lock(state_->mutex);
  if (waiter->remaining != 0) {
    // Cancelled before every result came: the calls go on for the others,
    // and deliver() leaves this waiter out.
    waiter->abandoned = true;
    throw boost::system::system_error(asio::error::operation_aborted);
  }
  co_return std::move(waiter->results);
}

void Batcher::on_timer(const std::shared_ptr<Batch>& batch) {
  {
    std::lock_guard lock(state_->mutex);
    if (batch->sent) return;  // it filled up, or its key's calls returned, and it left already
    state_->mark_in_flight(batch, *batch->call.lane, batch->executor);
  }
  asio::co_spawn(batch->executor, transmit(batch), asio::detached);
}

asio::awaitable<void> Batcher::transmit(std::shared_ptr<Batch> batch) {
  // Items and tickets no longer change once `sent` is set.
  const auto& call = batch->call;
  BatchOutcome outcome;
  try {
    outcome = co_await call.lane->send(call);
  } catch (const std::exception& e) {
    std::string detail;
    append_json_escaped(detail, e.what());
    spdlog::error("\"event\":\"batch_send_failed\",\"detail\":\"{}\"", detail);
    outcome = BatchOutcome{};
  }
  if (outcome.results.size() != call.items.size()) {
    // Not an answer per item: every waiter gets a 502 rather than hanging.
    outcome.results.assign(call.items.size(), ItemResult{});
    for (auto& r : outcome.results) r.malformed = true;
  }
  // Waiters are answered first: the fills (a Redis round trip) delay nobody.
  // The batch stays in flight until they are done, so a lookup that misses
  // the cache meanwhile joins this call instead of asking upstream again.
  answer_waiters(*batch, outcome);
  std::vector<Fill> fills;
  for (std::size_t i = 0; i < call.items.size(); ++i) {
    const auto& r = outcome.results[i];
    if (r.kind == ItemResult::Kind::kMessage) {
      fills.push_back({Fill::Kind::kMessage, &batch->tickets[i], r.message_json, 0});
    } else if (r.kind == ItemResult::Kind::kFailed && r.not_found_said) {
      fills.push_back({Fill::Kind::kNotFound, &batch->tickets[i], {}, call.items[i].create_time});
    }
  }
  if (!fills.empty()) co_await call.lane->fill(call.conversation, std::move(fills));
  deliver(*batch, outcome);
}

void Batcher::answer_waiters(Batch& batch, const BatchOutcome& outcome) {
  std::lock_guard lock(state_->mutex);
  batch.outcome = &outcome;
  answer_registered(batch);
}

void Batcher::answer_registered(Batch& batch) {
  const auto& outcome = *batch.outcome;
  const bool shared = outcome.called_upstream && batch.clients > 1;
  for (; batch.answered < batch.registrations.size(); ++batch.answered) {
    const auto& registration = batch.registrations[batch.answered];
    auto& waiter = *registration.waiter;
    if (waiter.abandoned) continue;
    auto& slot = waiter.results[registration.slot];
    slot = outcome.results[registration.item];
    slot.shared = shared;
    slot.counts_call = outcome.called_upstream && batch.answered == 0;
    slot.batch_trace_id = outcome.trace_id;
    if (--waiter.remaining == 0) waiter.done.notify();
  }
}

void Batcher::deliver(Batch& batch, const BatchOutcome& outcome) {
  // SPEC §2: the access log links each client's trace id to the batch call.
  std::string clients;
  std::shared_ptr<Batch> released;  // a held batch that leaves now
  {
    std::lock_guard lock(state_->mutex);
    state_->forget_in_flight(batch);  // under the same lock: nobody registers after this
    answer_registered(batch);         // those who joined while the fills were written
    batch.outcome = nullptr;
    const Waiter* last = nullptr;
    for (auto& registration : batch.registrations) {
      auto& waiter = *registration.waiter;
      if (waiter.abandoned || last == &waiter) continue;
      if (!clients.empty()) clients += ',';
      append_json_string(clients, waiter.trace_id);
      last = &waiter;
    }
    // Adaptive batching: the batch held while earlier ones of its key were
    // in flight leaves once none is (this was the last to return).
    if (auto it = state_->open.find(batch.key);
        it != state_->open.end() && it->second->held && !state_->in_flight.contains(batch.key)) {
      released = it->second;
      state_->mark_in_flight(released, *released->call.lane, released->executor);
    }
  }
  if (released) asio::co_spawn(released->executor, transmit(released), asio::detached);
  std::string conversation;
  append_json_escaped(conversation, batch.call.conversation.to_string());
  spdlog::info(
      "\"event\":\"upstream_batch\",\"trace_id\":\"{}\",\"conversation\":\"{}\",\"items\":{},"
      "\"client_trace_ids\":[{}]",
      outcome.trace_id, conversation, batch.call.items.size(), clients);
}

}  // namespace yxgate::coalesce
