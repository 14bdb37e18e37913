#include "pipeline/batch_messages_route.hpp"

#include <unordered_map>

#include "cache/upstream_reply.hpp"
#include "common/json_escape.hpp"
#include "router/conversation_id.hpp"

namespace yxgate::pipeline {
namespace asio = boost::asio;
namespace http = server::http;

namespace {

// Per requested id: the message or the failure that answers it.
struct Answers {
  std::unordered_map<std::uint64_t, std::string> messages;
  std::unordered_map<std::uint64_t, cache::FailedItem> failures;
};

cache::FailedItem not_found(const cache::BatchItem& item) {
  return cache::FailedItem{item.message_server_id, item.create_time, 107404, "message not exist"};
}

void append_failed(std::string& out, const cache::FailedItem& item) {
  out += "{\"message_server_id\":" + std::to_string(item.message_server_id) +
         ",\"create_time\":" + std::to_string(item.create_time) +
         ",\"error_code\":" + std::to_string(item.error_code) + ",\"error_msg\":";
  append_json_string(out, item.error_msg);
  out += '}';
}

// success_list in request order; failed_list for the rest (SPEC §3.2).
std::string merged_body(const std::vector<cache::BatchItem>& items, const Answers& answers) {
  std::string success;
  std::string failed;
  for (const auto& item : items) {
    const auto id = item.message_server_id;
    if (auto m = answers.messages.find(id); m != answers.messages.end()) {
      if (!success.empty()) success += ',';
      success += m->second;
    } else if (auto f = answers.failures.find(id); f != answers.failures.end()) {
      if (!failed.empty()) failed += ',';
      append_failed(failed, f->second);
    }
  }
  return "{\"code\":200,\"msg\":\"success\",\"data\":{\"success_list\":[" + success +
         "],\"failed_list\":[" + failed + "]}}";
}

// Looks each item up; returns the ones that must go upstream (deduplicated).
asio::awaitable<std::vector<cache::BatchItem>> answer_from_cache(
    RouteEnv& env, const router::ConversationId& conversation,
    const std::vector<cache::BatchItem>& items, Answers& answers) {
  std::vector<cache::BatchItem> misses;
  std::unordered_map<std::uint64_t, bool> seen;
  for (const auto& item : items) {
    if (!seen.emplace(item.message_server_id, true).second) continue;
    if (item.has_create_time) {
      auto answer = co_await env.cache.lookup(env.worker, env.app.index, item.message_server_id,
                                              conversation, item.create_time);
      if (answer.result == cache::Lookup::kHit) {
        answers.messages.emplace(item.message_server_id, answer.entry->message_json);
        continue;
      }
      if (answer.result == cache::Lookup::kNegativeHit) {
        answers.failures.emplace(item.message_server_id, not_found(item));
        continue;
      }
    }
    misses.push_back(item);
  }
  co_return misses;
}

}  // namespace

std::string batch_target(std::string_view batch_path, std::string_view encoded_conversation_id) {
  std::string target(batch_path);
  constexpr std::string_view kPlaceholder = "{conversation_id}";
  if (const auto at = target.find(kPlaceholder); at != std::string::npos) {
    target.replace(at, kPlaceholder.size(), encoded_conversation_id);
  }
  return target;
}

asio::awaitable<server::HttpResponse> handle_batch_messages(RouteEnv env) {
  auto decoded = router::percent_decode(env.route.conversation_id);
  if (!decoded) co_return parameter_error(env, "conversation_id " + decoded.error().message);
  auto conversation = router::parse_conversation_id(*decoded);
  if (!conversation) co_return parameter_error(env, conversation.error().message);
  auto items = cache::parse_batch_request(env.request.body());
  if (!items) co_return parameter_error(env, items.error().message);

  Answers answers;
  const auto misses = co_await answer_from_cache(env, *conversation, *items, answers);
  const auto cached = answers.messages.size() + answers.failures.size();
  // Misses go through the same batchers as single lookups (SPEC §3.2).
  auto results = co_await env.batcher.fetch(env.worker, env.app, env.route.conversation_id,
                                            *conversation, misses, env.ctx);
  for (std::size_t i = 0; i < results.size(); ++i) {
    auto& result = results[i];
    env.ctx.upstream_trace_id = result.batch_trace_id;
    switch (result.kind) {
      case ItemResult::Kind::kBatchFailed:
        // A call that fails as a whole fails the client's batch with it.
        if (result.malformed) {
          co_return gateway_error(env.ctx, http::status::bad_gateway, 500,
                                  "malformed upstream reply", "upstream_bad_reply", env.version());
        }
        co_return relay_shared(env, *result.batch);
      case ItemResult::Kind::kMessage:
        answers.messages.emplace(misses[i].message_server_id, std::move(result.message_json));
        break;
      case ItemResult::Kind::kFailed:
        answers.failures.emplace(misses[i].message_server_id, std::move(result.failed));
        break;
    }
  }

  const std::string_view cache_result = misses.empty() ? "hit" : (cached > 0 ? "partial" : "miss");
  co_return json_answer(env, merged_body(*items, answers), 200, cache_result);
}

}  // namespace yxgate::pipeline
