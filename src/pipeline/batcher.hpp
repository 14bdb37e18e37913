#pragma once
// Coalescing (SPEC §3.1.4-5, §3.2): concurrent lookups of messages of one
// conversation are folded into one POST batch_messages. One open batch per
// (app, conversation_id); it leaves coalesce.window after its first item or
// when it holds coalesce.max_batch distinct items, whichever is first. Each
// distinct (id, create_time) is asked once however many requests wait on it:
// a lookup of an item a sent batch is still asking for waits on that call
// (unless a mutation of that id happened since the batch left).
// Shared by all workers behind one mutex; a batch is sent from the worker
// that closed it, and every waiter is woken on its own worker.
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cache/time_index.hpp"
#include "cache/upstream_reply.hpp"
#include "config/config.hpp"
#include "pipeline/cached_messages.hpp"
#include "pipeline/upstream_caller.hpp"
#include "server/worker_pool.hpp"

namespace yxgate::pipeline {

// What one requested item got.
struct ItemResult {
  enum class Kind { kMessage, kFailed, kBatchFailed };
  Kind kind = Kind::kBatchFailed;
  std::string message_json;                    // kMessage: verbatim
  cache::FailedItem failed;                    // kFailed: the failed_list entry
  std::shared_ptr<const UpstreamReply> batch;  // kBatchFailed: the whole call's answer
  bool malformed = false;                      // kBatchFailed: HTTP 200 we could not parse
  bool not_found_said = false;  // kFailed: upstream's own 107404 (cacheable, SPEC §3.1.6)
  bool shared = false;          // the upstream call also served another client request
  std::string batch_trace_id;

  // Upstream's single-message GET body for a kMessage / kFailed item.
  std::string single_message_body() const;
};

class Batcher {
 public:
  Batcher(const config::CoalesceConfig& config, server::WorkerPool& pool,
          std::vector<UpstreamCaller*> upstreams, CachedMessages& cache);
  ~Batcher();

  // Asks for `items` of one conversation; results in the same order.
  // `encoded_conversation` is the path segment as the client sent it.
  boost::asio::awaitable<std::vector<ItemResult>> fetch(std::size_t worker,
                                                        const AppCredentials& app,
                                                        std::string_view encoded_conversation,
                                                        const router::ConversationId& conversation,
                                                        const std::vector<cache::BatchItem>& items,
                                                        RequestContext& client);

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
  struct Batch;
  struct Waiter;
  boost::asio::awaitable<void> close_after_window(std::shared_ptr<Batch> batch, std::size_t worker);
  boost::asio::awaitable<void> send(std::shared_ptr<Batch> batch, std::size_t worker);
  // Under state_->mutex: the batch leaves. From this moment lookups of its
  // ids join it (in_flight); nothing may open a second batch for them.
  void mark_in_flight_locked(const std::shared_ptr<Batch>& batch);
  // The upstream call of a batch already marked in flight.
  boost::asio::awaitable<void> transmit(std::shared_ptr<Batch> batch, std::size_t worker);
  void deliver(Batch& batch, const std::vector<ItemResult>& results, bool called_upstream);
  // Both with State::mutex held.
  Batch* join_in_flight(const std::string& key, const AppCredentials& app,
                        const std::pair<std::uint64_t, std::uint64_t>& item_key);
  void forget_in_flight(const Batch& batch);

  struct State;
  config::CoalesceConfig config_;
  server::WorkerPool& pool_;
  std::vector<UpstreamCaller*> upstreams_;
  CachedMessages& cache_;
  cache::TimeIndex times_;
  std::unique_ptr<State> state_;
};

}  // namespace yxgate::pipeline
