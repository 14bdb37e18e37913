#pragma once
// Deterministic harness for the coalescing core (src/coalesce): one
// io_context run by the test (poll until idle), a fake upstream whose calls
// wait until the test answers them one by one, fake time the test advances,
// and the real CachedMessages (local layer on or off) as the fill sink and
// source of mutation generations. Nothing sleeps.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coalesce/batcher.hpp"
#include "coalesce/completion.hpp"
#include "coalesce/timers.hpp"
#include "message_cache/cached_messages.hpp"
#include "router/conversation_id.hpp"

namespace yxgate::coalesce::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class FakeTimers final : public Timers {
 public:
  void after(std::chrono::nanoseconds delay, const asio::any_io_executor& executor,
             std::function<void()> fire) override {
    pending_.push_back({now_ + delay, executor, std::move(fire)});
  }
  // Moves fake time on; what falls due is posted to its executor.
  void advance(std::chrono::nanoseconds by) {
    now_ += by;
    std::vector<Entry> keep;
    for (auto& entry : pending_) {
      if (entry.due <= now_) {
        asio::post(entry.executor, std::move(entry.fire));
      } else {
        keep.push_back(std::move(entry));
      }
    }
    pending_ = std::move(keep);
  }

 private:
  struct Entry {
    std::chrono::nanoseconds due;
    asio::any_io_executor executor;
    std::function<void()> fire;
  };
  std::chrono::nanoseconds now_{0};
  std::vector<Entry> pending_;
};

// A message of alice|1|bob as upstream returns it; `text` tells versions apart.
inline std::string message_json(std::uint64_t id, std::uint64_t time, std::string_view text) {
  return "{\"message_server_id\":" + std::to_string(id) +
         ",\"sender_id\":\"alice\",\"conversation_type\":1,\"receiver_id\":\"bob\","
         "\"create_time\":" +
         std::to_string(time) + ",\"message_type\":0,\"text\":\"" + std::string(text) + "\"}";
}

class FakeUpstream {
 public:
  struct Pending {
    BatchCall call;
    std::shared_ptr<Completion> released;
    BatchOutcome outcome;
    asio::any_io_executor ran_on;  // the executor the send function ran on
  };

  asio::awaitable<BatchOutcome> send(const BatchCall& call) {
    auto pending = std::make_shared<Pending>();
    pending->call = call;
    pending->ran_on = co_await asio::this_coro::executor;
    pending->released = std::make_shared<Completion>(pending->ran_on);
    calls.push_back(pending);
    co_await pending->released->wait();
    co_return std::move(pending->outcome);
  }
  void answer(std::size_t call, BatchOutcome outcome) {
    calls.at(call)->outcome = std::move(outcome);
    calls.at(call)->released->notify();
  }
  // Every item of the call found, as version `text`.
  void answer_found(std::size_t call, std::string_view text) {
    BatchOutcome outcome;
    for (const auto& item : calls.at(call)->call.items) {
      ItemResult r;
      r.kind = ItemResult::Kind::kMessage;
      r.message_json = message_json(item.message_server_id, item.create_time, text);
      outcome.results.push_back(std::move(r));
    }
    outcome.trace_id = "batch-" + std::to_string(call);
    answer(call, std::move(outcome));
  }
  std::vector<std::uint64_t> ids(std::size_t call) const {
    std::vector<std::uint64_t> out;
    for (const auto& item : calls.at(call)->call.items) out.push_back(item.message_server_id);
    return out;
  }

  std::vector<std::shared_ptr<Pending>> calls;
};

// One client request waiting on the batcher.
struct Client {
  std::optional<std::vector<ItemResult>> results;
  bool aborted = false;
  asio::cancellation_signal cancel;

  bool done() const { return results.has_value(); }
  std::string text(std::size_t i = 0) const {
    const auto& json = results->at(i).message_json;
    const auto at = json.find("\"text\":\"");
    return at == std::string::npos ? "" : json.substr(at + 8, json.find('"', at + 8) - at - 8);
  }
};

// Fills wait here until the test lets them through (a slow Redis write),
// while `hold` is set.
struct FillGate {
  bool hold = false;
  std::vector<std::shared_ptr<Completion>> held;
};

// A worker as the core sees it (coalesce/lane.hpp): its calls go to the fake
// upstream, its fills (through the gate) to the real cache.
class FakeLane final : public Lane {
 public:
  FakeLane(FakeUpstream& upstream, message_cache::CachedMessages& cache, FillGate& gate)
      : upstream_(upstream), cache_(cache), gate_(gate) {}
  asio::awaitable<BatchOutcome> send(const BatchCall& call) override {
    return upstream_.send(call);
  }
  asio::awaitable<void> fill(const router::ConversationId& conversation,
                             std::vector<Fill> fills) override {
    if (gate_.hold) {
      auto released = std::make_shared<Completion>(co_await asio::this_coro::executor);
      gate_.held.push_back(released);
      co_await released->wait();
    }
    co_await cache_.fill_call(nullptr, conversation, std::move(fills));
  }

 private:
  FakeUpstream& upstream_;
  message_cache::CachedMessages& cache_;
  FillGate& gate_;
};

class CoalesceHarness {
 public:
  static constexpr std::uint32_t kApp = 0;
  static constexpr std::uint64_t kTime = 1700000000000;

  explicit CoalesceHarness(bool local_layer, BatcherOptions options = default_options())
      : options_(options),
        cache_(cache_config(local_layer), {"default"}, std::chrono::minutes(1)),
        lanes_{FakeLane(upstream, cache_, fills), FakeLane(upstream, cache_, fills)},
        batcher_(options, cache_, timers) {}

  static BatcherOptions default_options() {
    BatcherOptions options;
    options.window = 2ms;
    options.max_hold = 20ms;
    options.max_batch = 3;
    return options;
  }

  // Starts a lookup of `ids` (at kTime) on worker 0 (io) or 1 (io1) and
  // runs everything it set off.
  std::shared_ptr<Client> lookup(std::vector<std::uint64_t> ids, std::size_t worker = 0) {
    auto client = std::make_shared<Client>();
    std::vector<cache::BatchItem> items;
    for (auto id : ids) items.push_back({id, kTime, true});
    asio::co_spawn(
        worker == 0 ? io : io1,
        [this, client, items, worker]() -> asio::awaitable<void> {
          try {
            client->results = co_await batcher_.fetch(lanes_[worker], kApp, "alice%7C1%7Cbob",
                                                      conversation(), items, "client");
          } catch (const boost::system::system_error&) {
            client->aborted = true;
          }
        },
        asio::bind_cancellation_slot(client->cancel.slot(), asio::detached));
    settle();
    return client;
  }
  // Runs every ready handler of both workers until none is left (nothing
  // waits on time). One thread: the two contexts take turns.
  void settle() {
    std::size_t ran = 0;
    do {
      io.restart();
      io1.restart();
      ran = io.poll();
      ran += io1.poll();
    } while (ran > 0);
  }
  void advance(std::chrono::nanoseconds by) {
    timers.advance(by);
    settle();
  }
  void answer_found(std::size_t call, std::string_view text) {
    upstream.answer_found(call, text);
    settle();
  }
  // A mutation of `id` has returned (what mutation_route does locally).
  void mutate(std::uint64_t id) { cache_.drop_local_message(kApp, id); }
  // What the local layer serves for `id` now ("" when nothing).
  std::string cached_text(std::uint64_t id) {
    auto answer = cache_.lookup_local(kApp, id, conversation(), kTime);
    if (!answer.entry) return "";
    const auto& json = answer.entry->message_json;
    const auto at = json.find("\"text\":\"");
    return json.substr(at + 8, json.find('"', at + 8) - at - 8);
  }
  message_cache::CachedMessages& cache() { return cache_; }
  const BatcherOptions& options() const { return options_; }

  static const router::ConversationId& conversation() {
    static const router::ConversationId id = *router::parse_conversation_id("alice|1|bob");
    return id;
  }

  asio::io_context io;
  asio::io_context io1;  // a second worker
  FakeTimers timers;
  FakeUpstream upstream;

 private:
  static config::CacheConfig cache_config(bool local_layer) {
    config::CacheConfig config;
    config.local_max_bytes = local_layer ? 1u << 20 : 0;
    return config;
  }

  BatcherOptions options_;
  message_cache::CachedMessages cache_;

 public:
  FillGate fills;  // hold = true: fills wait until the test releases them
  // The lane of worker 0 (io) or 1 (io1).
  const Lane* lane(std::size_t worker) const { return &lanes_[worker]; }

 private:
  FakeLane lanes_[2];
  Batcher batcher_;
};

}  // namespace yxgate::coalesce::testing
