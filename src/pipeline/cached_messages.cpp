#include "pipeline/cached_messages.hpp"

#include <spdlog/spdlog.h>

#include "metrics/yxgate_metrics.hpp"

namespace yxgate::pipeline {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

cache::LocalCacheOptions local_options(const config::CacheConfig& config,
                                       std::chrono::milliseconds race_horizon) {
  cache::LocalCacheOptions options;
  options.max_bytes = config.local_max_bytes;
  options.generation_horizon = race_horizon;
  return options;
}

std::string_view lookup_result_label(cache::Lookup result) {
  switch (result) {
    case cache::Lookup::kHit:
      return "hit";
    case cache::Lookup::kNegativeHit:
      return "negative_hit";
    case cache::Lookup::kMiss:
      return "miss";
  }
  return "miss";
}

}  // namespace

CachedMessages::CachedMessages(const config::CacheConfig& config,
                               std::vector<std::string> app_names,
                               std::chrono::milliseconds race_horizon)
    : config_(config),
      app_names_(std::move(app_names)),
      local_(local_options(config, race_horizon)) {}

CachedMessages::~CachedMessages() = default;

asio::awaitable<CacheAnswer> CachedMessages::lookup(std::uint32_t app, std::uint64_t id,
                                                    const router::ConversationId& conversation,
                                                    std::optional<std::uint64_t> message_time) {
  auto& metrics = metrics::yxgate_metrics();
  if (local_.enabled()) {
    auto entry = local_.get(cache::CacheKey{app, id}, Clock::now());
    const auto result =
        entry ? cache::match(*entry, conversation, message_time) : cache::Lookup::kMiss;
    metrics.cache_lookups_total.with({"local", lookup_result_label(result)}).inc();
    if (result != cache::Lookup::kMiss) co_return CacheAnswer{std::move(entry), result, "local"};
  }
  co_return CacheAnswer{};
}

FillTicket CachedMessages::ticket(std::uint32_t app, std::uint64_t id) const {
  const cache::CacheKey key{app, id};
  return FillTicket{key, local_.generation(key)};
}

void CachedMessages::put_local(const FillTicket& ticket,
                               std::shared_ptr<const cache::CacheEntry> entry,
                               std::chrono::milliseconds ttl) {
  local_.put_if_unchanged(ticket.key, std::move(entry), Clock::now() + ttl,
                          ticket.local_generation);
  publish_local_bytes();
}

asio::awaitable<void> CachedMessages::fill_message(const FillTicket& ticket,
                                                   std::string message_json) {
  auto facts = cache::extract_facts(message_json);
  if (!facts || facts->message_server_id != ticket.key.message_server_id) {
    // Not a message we can check ownership of: never cache what we cannot match.
    spdlog::warn("\"event\":\"cache_skip\",\"reason\":\"unrecognised message object\"");
    co_return;
  }
  auto entry = std::make_shared<const cache::CacheEntry>(
      cache::make_positive_entry(std::move(message_json), std::move(*facts)));
  put_local(ticket, std::move(entry), config_.ttl);
  co_return;
}

asio::awaitable<void> CachedMessages::fill_not_found(const FillTicket& ticket,
                                                     const router::ConversationId& conversation,
                                                     std::optional<std::uint64_t> message_time) {
  if (config_.negative_ttl.count() <= 0) co_return;
  // A positive entry that does not answer this question stays: it is still
  // right for its own conversation (see CacheEntry).
  if (auto existing = local_.get(ticket.key, Clock::now());
      existing && !existing->negative &&
      cache::match(*existing, conversation, message_time) != cache::Lookup::kHit) {
    co_return;
  }
  auto entry = std::make_shared<const cache::CacheEntry>(
      cache::make_negative_entry(ticket.key.message_server_id, conversation, message_time));
  put_local(ticket, std::move(entry), config_.negative_ttl);
  co_return;
}

asio::awaitable<void> CachedMessages::invalidate_message(std::uint32_t app, std::uint64_t id) {
  drop_local_message(app, id);
  co_return;
}

asio::awaitable<void> CachedMessages::invalidate_conversation(
    std::uint32_t app, const router::ConversationId& conversation) {
  drop_local_conversation(app, conversation);
  co_return;
}

void CachedMessages::drop_local_message(std::uint32_t app, std::uint64_t id) {
  local_.invalidate(cache::CacheKey{app, id}, Clock::now());
  publish_local_bytes();
}

void CachedMessages::drop_local_conversation(std::uint32_t app,
                                             const router::ConversationId& conversation) {
  local_.invalidate_all_matching([&](const cache::CacheKey& key, const cache::CacheEntry& entry) {
    if (key.app != app) return false;
    if (entry.negative) return true;  // cheap to refetch; may concern this conversation
    return cache::belongs_to(entry.facts, conversation);
  });
  publish_local_bytes();
}

void CachedMessages::publish_local_bytes() const {
  metrics::yxgate_metrics().cache_local_bytes.set(static_cast<double>(local_.bytes()));
}

}  // namespace yxgate::pipeline
