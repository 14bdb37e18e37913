#include "gateway/batch_messages_route.hpp"

#include <unordered_map>

#include "cache/upstream_reply.hpp"
#include "common/json_escape.hpp"
#include "fidelity/parsed_request.hpp"
#include "router/conversation_id.hpp"
#include "yunxin/codes.hpp"
#include "yunxin/reply_body.hpp"

namespace yxgate::gateway {
namespace asio = boost::asio;
namespace http = server::http;

namespace {

// Per requested (id, create_time): the message or the failure that answers
// it. An id asked with two times is two questions (SPEC §11.1).
using ItemKey = std::pair<std::uint64_t, std::uint64_t>;
struct ItemKeyHash {
  std::size_t operator()(const ItemKey& key) const noexcept {
    return std::hash<std::uint64_t>{}(key.first * 0x9e3779b97f4a7c15ULL ^ key.second);
  }
};
struct Answers {
  std::unordered_map<ItemKey, std::string, ItemKeyHash> messages;
  std::unordered_map<ItemKey, cache::FailedItem, ItemKeyHash> failures;
};

ItemKey key_of(const cache::BatchItem& item) { return {item.message_server_id, item.create_time}; }

cache::FailedItem not_found(const cache::BatchItem& item) {
  return cache::FailedItem{item.message_server_id, item.create_time, yunxin::kMessageNotFound,
                           std::string(yunxin::kMessageNotFoundText)};
}

void append_failed(std::string& out, const cache::FailedItem& item) {
  out += "{\"message_server_id\":" + std::to_string(item.message_server_id) +
         ",\"create_time\":" + std::to_string(item.create_time) +
         ",\"error_code\":" + std::to_string(item.error_code) + ",\"error_msg\":";
  append_json_string(out, item.error_msg);
  out += '}';
}

// success_list and failed_list in request order, one entry per item as
// upstream answers (an item asked twice is answered twice) (SPEC §3.2).
std::string merged_body(const std::vector<cache::BatchItem>& items, const Answers& answers) {
  std::string success;
  std::string failed;
  for (const auto& item : items) {
    const auto key = key_of(item);
    if (auto m = answers.messages.find(key); m != answers.messages.end()) {
      if (!success.empty()) success += ',';
      success += m->second;
    } else if (auto f = answers.failures.find(key); f != answers.failures.end()) {
      if (!failed.empty()) failed += ',';
      append_failed(failed, f->second);
    }
  }
  return yunxin::success_body("{\"success_list\":[" + success + "],\"failed_list\":[" + failed +
                              "]}");
}

// Looks every item up (one Redis round trip for all); returns the ones
// that must go upstream (deduplicated).
asio::awaitable<std::vector<cache::BatchItem>> answer_from_cache(
    RouteEnv& env, const router::ConversationId& conversation,
    const std::vector<cache::BatchItem>& items, Answers& answers) {
  std::vector<cache::BatchItem> distinct;
  std::unordered_map<ItemKey, bool, ItemKeyHash> seen;
  for (const auto& item : items) {
    if (seen.emplace(key_of(item), true).second) distinct.push_back(item);
  }
  const auto found = co_await env.cache.lookup_all(env.worker.cache_lane(), env.app.index,
                                                   conversation, distinct, env.ctx.redis);
  std::vector<cache::BatchItem> misses;
  for (std::size_t i = 0; i < distinct.size(); ++i) {
    const auto& item = distinct[i];
    const auto& answer = found[i];
    if (answer.result == cache::Lookup::kHit) {
      answers.messages.emplace(key_of(item), answer.entry->message_json);
    } else if (answer.result == cache::Lookup::kNegativeHit) {
      answers.failures.emplace(key_of(item), not_found(item));
    } else {
      misses.push_back(item);
      misses.back().redis_epoch = answer.redis_epoch;  // for its fill (FillTicket)
    }
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
  if (const auto why = encoded_body_refusal(env); !why.empty()) {
    co_return parameter_error(env, why);
  }
  // SPEC §11.1: 1..100 items, each with create_time, or nothing goes upstream.
  auto request = fidelity::read_batch_messages(env.route.conversation_id, env.request.body());
  if (!request) co_return parameter_error(env, request.error().message);
  const auto& conversation = request->conversation;
  const auto& items = request->items;

  Answers answers;
  const auto misses = co_await answer_from_cache(env, conversation, items, answers);
  const auto cached = answers.messages.size() + answers.failures.size();
  // Misses go through the same batchers as single lookups (SPEC §3.2).
  auto results =
      co_await env.batcher.fetch(env.worker, env.app, fidelity::conversation_segment(conversation),
                                 conversation, misses, env.ctx);
  for (std::size_t i = 0; i < results.size(); ++i) {
    auto& result = results[i];
    env.ctx.upstream_trace_id = result.batch_trace_id;
    env.ctx.upstream_calls += result.counts_call ? 1 : 0;
    switch (result.kind) {
      case ItemResult::Kind::kBatchFailed:
        // A call that fails as a whole fails the client's batch with it.
        if (result.malformed) {
          co_return upstream::gateway_error(env.ctx, http::status::bad_gateway, 500,
                                            "malformed upstream reply", "upstream_bad_reply",
                                            env.version());
        }
        co_return relay_shared(env, *result.batch);
      case ItemResult::Kind::kMessage:
        answers.messages.emplace(key_of(misses[i]), std::move(result.message_json));
        break;
      case ItemResult::Kind::kFailed:
        answers.failures.emplace(key_of(misses[i]), std::move(result.failed));
        break;
    }
  }

  const std::string_view cache_result = misses.empty() ? "hit" : (cached > 0 ? "partial" : "miss");
  co_return json_answer(env, merged_body(items, answers), 200, cache_result);
}

}  // namespace yxgate::gateway
