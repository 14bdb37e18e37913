#include "gateway/batcher.hpp"

#include <algorithm>

#include "metrics/yxgate_metrics.hpp"

namespace yxgate::gateway {
namespace asio = boost::asio;

namespace {
coalesce::BatcherOptions options_of(const config::CoalesceConfig& config) {
  coalesce::BatcherOptions options;
  options.window = config.window;
  options.max_hold = config.max_hold;
  options.max_batch = static_cast<std::size_t>(std::max(1, config.max_batch));
  return options;
}
}  // namespace

Batcher::Batcher(const config::CoalesceConfig& config,
                 const std::vector<upstream::AppCredentials>& apps,
                 message_cache::CachedMessages& cache)
    : config_(config),
      apps_(apps),
      times_(config.time_index_entries),
      core_(options_of(config), cache, timers_) {}

asio::awaitable<coalesce::BatchOutcome> Batcher::send(upstream::UpstreamCaller& upstream,
                                                      const coalesce::BatchCall& call) {
  co_return co_await send_batch(
      upstream, apps_[call.app], config_.batch_path, call,
      [this](std::uint32_t app, std::uint64_t id, std::uint64_t time) { learn(app, id, time); });
}

Batcher::~Batcher() = default;

asio::awaitable<std::vector<ItemResult>> Batcher::fetch(Worker& worker,
                                                        const upstream::AppCredentials& app,
                                                        std::string_view encoded_conversation,
                                                        const router::ConversationId& conversation,
                                                        const std::vector<cache::BatchItem>& items,
                                                        request::RequestContext& client) {
  // Not a coroutine (no extra frame): the caller awaits it at once, while
  // every argument is alive.
  return core_.fetch(worker, app.index, encoded_conversation, conversation, items, client.trace_id);
}

void Batcher::learn(std::uint32_t app, std::uint64_t message_server_id, std::uint64_t create_time) {
  if (!times_.enabled()) return;
  times_.learn(app, message_server_id, create_time);
  // metrics: time index size
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
  // metrics: time index lookups
  auto& m = metrics::yxgate_metrics();
  (time ? m.time_index_hits : m.time_index_misses).Increment();
  return time;
}

}  // namespace yxgate::gateway
