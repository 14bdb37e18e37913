#pragma once
// The pipeline's side of coalescing (SPEC §3.1.4-5, §3.2, §11.5): wires the
// coalescing core (src/coalesce/batcher.hpp) to upstream (batch_call.hpp
// sends and reads each batch, on the worker that closed it: worker.hpp), to
// the cache (CachedMessages gives the tickets) and to Asio timers, and keeps
// the learned create_times.
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cache/time_index.hpp"
#include "coalesce/batcher.hpp"
#include "config/config.hpp"
#include "gateway/batch_call.hpp"
#include "gateway/worker.hpp"
#include "message_cache/cached_messages.hpp"
#include "upstream/upstream_caller.hpp"

namespace yxgate::gateway {

using ItemResult = coalesce::ItemResult;

class Batcher {
 public:
  // `apps[i]` is the app of index i; it outlives the batcher.
  Batcher(const config::CoalesceConfig& config, const std::vector<upstream::AppCredentials>& apps,
          message_cache::CachedMessages& cache);
  ~Batcher();

  // Asks for `items` of one conversation; results in the same order.
  // `encoded_conversation` is the path segment as the client sent it.
  boost::asio::awaitable<std::vector<ItemResult>> fetch(Worker& worker,
                                                        const upstream::AppCredentials& app,
                                                        std::string_view encoded_conversation,
                                                        const router::ConversationId& conversation,
                                                        const std::vector<cache::BatchItem>& items,
                                                        request::RequestContext& client);

  // One batch call through `upstream` (the sending worker's), learning the
  // create_times of what it brings back.
  boost::asio::awaitable<coalesce::BatchOutcome> send(upstream::UpstreamCaller& upstream,
                                                      const coalesce::BatchCall& call);

  // Learned create_times (SPEC §11.5), fed from every upstream message the
  // gateway parses (batch replies here; single GETs and mutation replies
  // through learn_message). Thread-safe.
  void learn(std::uint32_t app, std::uint64_t message_server_id, std::uint64_t create_time);
  // Learns from one message object as upstream sends it; ignores anything else.
  void learn_message(std::uint32_t app, std::string_view message_json);
  // The create_time for a lookup without message_time; counts hit/miss.
  // nullopt when unknown or the index is disabled (nothing counted then).
  std::optional<std::uint64_t> learned_time(std::uint32_t app, std::uint64_t message_server_id);

 private:
  config::CoalesceConfig config_;
  const std::vector<upstream::AppCredentials>& apps_;
  cache::TimeIndex times_;
  coalesce::AsioTimers timers_;
  coalesce::Batcher core_;
};

}  // namespace yxgate::gateway
