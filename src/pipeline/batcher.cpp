#include "pipeline/batcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <mutex>
#include <unordered_map>

#include "common/json_escape.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "pipeline/batch_messages_route.hpp"
#include "pipeline/completion.hpp"
#include "signing/signer.hpp"

namespace yxgate::pipeline {
namespace asio = boost::asio;
namespace http = server::http;

std::string ItemResult::single_message_body() const {
  if (kind == Kind::kMessage)
    return "{\"code\":200,\"msg\":\"success\",\"data\":" + message_json + "}";
  return cache::failed_item_body(failed);
}

struct Batcher::Waiter {
  explicit Waiter(asio::any_io_executor executor, std::size_t count)
      : done(std::move(executor)), results(count), remaining(count) {}
  Completion done;
  std::vector<ItemResult> results;  // guarded by State::mutex until done
  std::size_t remaining;
  std::string trace_id;
};

struct Batcher::Batch {
  std::string key;
  const AppCredentials* app = nullptr;
  std::string encoded_conversation;
  router::ConversationId conversation;
  std::vector<cache::BatchItem> items;
  std::vector<FillTicket> tickets;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> index;  // (id, time) -> item
  // (waiter, item index in batch, result slot in waiter)
  struct Registration {
    std::shared_ptr<Waiter> waiter;
    std::size_t item;
    std::size_t slot;
  };
  std::vector<Registration> registrations;
  std::size_t clients = 0;  // distinct client requests waiting on this batch
  bool sent = false;
};

struct Batcher::State {
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<Batch>> open;
  // Sent batches awaiting upstream, per key: a lookup of an item one of them
  // already asks for waits on that call instead of asking again.
  std::unordered_map<std::string, std::vector<std::shared_ptr<Batch>>> in_flight;
};

namespace {
using ItemKey = std::pair<std::uint64_t, std::uint64_t>;

// Every batched item carries create_time (fidelity/json_body refuses others).
ItemKey item_key_of(const cache::BatchItem& item) {
  return {item.message_server_id, item.create_time};
}
}  // namespace

Batcher::Batcher(const config::CoalesceConfig& config, server::WorkerPool& pool,
                 std::vector<UpstreamCaller*> upstreams, CachedMessages& cache)
    : config_(config),
      pool_(pool),
      upstreams_(std::move(upstreams)),
      cache_(cache),
      times_(config.time_index_entries),
      state_(std::make_unique<State>()) {}

Batcher::~Batcher() = default;

void Batcher::learn(std::uint32_t app, std::uint64_t message_server_id, std::uint64_t create_time) {
  if (!times_.enabled()) return;
  times_.learn(app, message_server_id, create_time);
  metrics::yxgate_metrics().time_index_entries.Set(static_cast<double>(times_.size()));
}

void Batcher::learn_message(std::uint32_t app, std::string_view message_json) {
  if (!times_.enabled()) return;
  if (auto facts = cache::extract_facts(message_json)) {
    learn(app, facts->message_server_id, facts->create_time);
  }
}

std::optional<std::uint64_t> Batcher::learned_time(std::uint32_t app,
                                                   std::uint64_t message_server_id) {
  if (!times_.enabled()) return std::nullopt;
  auto time = times_.find(app, message_server_id);
  auto& m = metrics::yxgate_metrics();
  (time ? m.time_index_hits : m.time_index_misses).Increment();
  return time;
}

asio::awaitable<std::vector<ItemResult>> Batcher::fetch(std::size_t worker,
                                                        const AppCredentials& app,
                                                        std::string_view encoded_conversation,
                                                        const router::ConversationId& conversation,
                                                        const std::vector<cache::BatchItem>& items,
                                                        RequestContext& client) {
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor, items.size());
  waiter->trace_id = client.trace_id;
  if (items.empty()) co_return std::vector<ItemResult>{};
  const auto max_batch = static_cast<std::size_t>(std::max(1, config_.max_batch));
  const std::string key = std::to_string(app.index) + '\n' + conversation.to_string();
  std::vector<std::shared_ptr<Batch>> to_send;
  std::vector<std::shared_ptr<Batch>> opened;
  {
    std::lock_guard lock(state_->mutex);
    std::vector<const Batch*> counted;  // batches this request already waits on
    const auto count_client = [&](Batch& batch) {
      if (std::find(counted.begin(), counted.end(), &batch) != counted.end()) return;
      ++batch.clients;
      counted.push_back(&batch);
    };
    for (std::size_t slot = 0; slot < items.size(); ++slot) {
      const auto& item = items[slot];
      const auto item_key = item_key_of(item);
      if (auto joined = join_in_flight(key, app, item_key)) {
        joined->registrations.push_back({waiter, joined->index.at(item_key), slot});
        count_client(*joined);
        continue;
      }
      // A copy, not a reference into state_->open: marking a batch in
      // flight erases its entry there.
      auto found = state_->open.find(key);
      std::shared_ptr<Batch> open = found == state_->open.end() ? nullptr : found->second;
      if (open && !open->index.contains(item_key) && open->items.size() >= max_batch) {
        mark_in_flight_locked(open);  // full: it leaves now, a new one opens
        to_send.push_back(std::move(open));
        open = nullptr;
      }
      if (!open) {
        open = std::make_shared<Batch>();
        open->key = key;
        open->app = &app;
        open->encoded_conversation = std::string(encoded_conversation);
        open->conversation = conversation;
        state_->open[key] = open;
        opened.push_back(open);
      }
      auto [it, added] = open->index.emplace(item_key, open->items.size());
      if (added) {
        open->items.push_back(item);
        open->tickets.push_back(cache_.ticket(app.index, item.message_server_id));
      }
      open->registrations.push_back({waiter, it->second, slot});
      count_client(*open);
      if (open->items.size() >= max_batch) {
        mark_in_flight_locked(open);
        to_send.push_back(std::move(open));
      }
    }
  }
  const auto executor = pool_.context(worker).get_executor();
  for (auto& batch : opened) {
    asio::co_spawn(executor, close_after_window(batch, worker), asio::detached);
  }
  for (auto& batch : to_send) asio::co_spawn(executor, transmit(batch, worker), asio::detached);
  co_await waiter->done.wait();
  co_return std::move(waiter->results);
}

Batcher::Batch* Batcher::join_in_flight(const std::string& key, const AppCredentials& app,
                                        const std::pair<std::uint64_t, std::uint64_t>& item_key) {
  auto flights = state_->in_flight.find(key);
  if (flights == state_->in_flight.end()) return nullptr;
  for (auto& batch : flights->second) {
    auto it = batch->index.find(item_key);
    if (it == batch->index.end()) continue;
    // A mutation since the batch left may have changed the answer: the
    // ticket taken then no longer matches, so this lookup asks anew.
    const auto& ticket = batch->tickets[it->second];
    if (cache_.ticket(app.index, item_key.first).local_generation == ticket.local_generation) {
      return batch.get();
    }
  }
  return nullptr;
}

asio::awaitable<void> Batcher::close_after_window(std::shared_ptr<Batch> batch,
                                                  std::size_t worker) {
  asio::steady_timer timer(co_await asio::this_coro::executor, config_.window);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_await send(std::move(batch), worker);
}

void Batcher::mark_in_flight_locked(const std::shared_ptr<Batch>& batch) {
  batch->sent = true;
  if (auto it = state_->open.find(batch->key); it != state_->open.end() && it->second == batch) {
    state_->open.erase(it);
  }
  state_->in_flight[batch->key].push_back(batch);
}

asio::awaitable<void> Batcher::send(std::shared_ptr<Batch> batch, std::size_t worker) {
  {
    std::lock_guard lock(state_->mutex);
    if (batch->sent) co_return;  // it filled up and left already
    mark_in_flight_locked(batch);
  }
  co_await transmit(std::move(batch), worker);
}

asio::awaitable<void> Batcher::transmit(std::shared_ptr<Batch> batch, std::size_t worker) {
  // Items and tickets no longer change once `sent` is set.
  RequestContext ctx;
  ctx.route = router::RouteClass::kBatchMessages;
  ctx.trace_id = signing::make_trace_id();  // a new request: its own trace id (SPEC §2)
  upstream::Request request{http::verb::post,
                            batch_target(config_.batch_path, batch->encoded_conversation), 11};
  request.set(http::field::content_type, "application/json");
  // The gateway reads this reply: ask for it uncompressed (SPEC §11.1).
  request.set(http::field::accept_encoding, "identity");
  request.body() = cache::make_batch_request(batch->items);
  metrics::yxgate_metrics().upstream_batch_size.observe(static_cast<double>(batch->items.size()));
  auto reply =
      co_await upstreams_[worker]->call(std::move(request), *batch->app, ctx, ctx.trace_id);
  // A call our own limiter refused served nobody: its waiters are not "coalesced".
  const bool called_upstream = !reply.rate_limited;

  std::vector<ItemResult> results(batch->items.size());
  std::optional<cache::BatchReply> parsed;
  if (reply.http_ok() && reply.code == 200) {
    if (auto p = cache::parse_batch_reply(reply.outcome.response.body())) parsed = std::move(*p);
  }
  if (!parsed) {
    // An HTTP 200 without a readable body is a 502 (SPEC §3.1); anything
    // else (transport failure, other status, body code != 200) is relayed.
    const bool malformed = reply.http_ok() && (!reply.code || *reply.code == 200);
    auto shared = std::make_shared<const UpstreamReply>(std::move(reply));
    for (auto& r : results) {
      r.kind = ItemResult::Kind::kBatchFailed;
      r.batch = shared;
      r.malformed = malformed;
    }
  } else {
    // Matched by (id, create_time): an item whose time is not the message's
    // gets what upstream's single GET gives it, 107404, also when the same
    // batch asks that id at the right time (SPEC §11.1).
    std::map<ItemKey, std::string*> found;
    for (auto& json : parsed->success_json) {
      if (auto facts = cache::extract_facts(json)) {
        found[{facts->message_server_id, facts->create_time}] = &json;
        learn(batch->app->index, facts->message_server_id, facts->create_time);
      }
    }
    std::map<ItemKey, cache::FailedItem*> failed;
    std::map<std::uint64_t, cache::FailedItem*> failed_by_id;  // entries without our time
    // The call's fills share one cache.redis.timeout: its waiters wait on them.
    RedisBudget fills;
    for (auto& f : parsed->failed) {
      failed[{f.message_server_id, f.create_time}] = &f;
      failed_by_id.emplace(f.message_server_id, &f);
    }
    for (std::size_t i = 0; i < batch->items.size(); ++i) {
      const auto& item = batch->items[i];
      const auto key = item_key_of(item);
      auto& r = results[i];
      cache::FailedItem* failure = nullptr;
      if (auto f = failed.find(key); f != failed.end()) {
        failure = f->second;
      } else if (auto g = failed_by_id.find(item.message_server_id);
                 g != failed_by_id.end() && g->second->error_code != 107404) {
        failure = g->second;  // e.g. an error upstream reports per id
      }
      if (auto it = found.find(key); it != found.end()) {
        r.kind = ItemResult::Kind::kMessage;
        r.message_json = *it->second;
        co_await cache_.fill_message(worker, batch->tickets[i], r.message_json, fills);
      } else if (failure) {
        r.kind = ItemResult::Kind::kFailed;
        r.failed = *failure;
        r.failed.create_time = item.create_time;
        if (r.failed.error_code == 107404) {
          r.not_found_said = true;
          co_await cache_.fill_not_found(worker, batch->tickets[i], batch->conversation,
                                         item.create_time);
        }
      } else {
        // Not in success_list at this time (or left out of both lists):
        // what upstream's single GET would say for this question.
        r.kind = ItemResult::Kind::kFailed;
        // Not cached: upstream did not say it.
        r.failed = {item.message_server_id, item.create_time, 107404, "message not exist"};
      }
    }
  }
  for (auto& r : results) r.batch_trace_id = ctx.trace_id;
  deliver(*batch, results, called_upstream);
}

void Batcher::forget_in_flight(const Batch& batch) {
  auto flights = state_->in_flight.find(batch.key);
  if (flights == state_->in_flight.end()) return;
  std::erase_if(flights->second, [&](const auto& b) { return b.get() == &batch; });
  if (flights->second.empty()) state_->in_flight.erase(flights);
}

void Batcher::deliver(Batch& batch, const std::vector<ItemResult>& results, bool called_upstream) {
  // SPEC §2: the access log links each client's trace id to the batch call.
  std::string clients;
  {
    std::lock_guard lock(state_->mutex);
    forget_in_flight(batch);  // under the same lock: nobody registers after this
    const bool shared = called_upstream && batch.clients > 1;
    const Waiter* last = nullptr;
    for (auto& registration : batch.registrations) {
      auto& waiter = *registration.waiter;
      auto& slot = waiter.results[registration.slot];
      slot = results[registration.item];
      slot.shared = shared;
      if (last != &waiter) {
        if (!clients.empty()) clients += ',';
        append_json_string(clients, waiter.trace_id);
        last = &waiter;
      }
      if (--waiter.remaining == 0) waiter.done.notify();
    }
  }
  std::string conversation;
  append_json_escaped(conversation, batch.conversation.to_string());
  spdlog::info(
      "\"event\":\"upstream_batch\",\"trace_id\":\"{}\",\"conversation\":\"{}\",\"items\":{},"
      "\"client_trace_ids\":[{}]",
      results.empty() ? "" : results.front().batch_trace_id, conversation, batch.items.size(),
      clients);
}

}  // namespace yxgate::pipeline
