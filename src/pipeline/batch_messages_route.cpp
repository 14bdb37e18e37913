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
  const auto batch_size = static_cast<std::size_t>(std::max(1, env.config.coalesce.max_batch));
  const auto target = batch_target(env.config.coalesce.batch_path, env.route.conversation_id);

  for (std::size_t begin = 0; begin < misses.size(); begin += batch_size) {
    const std::vector<cache::BatchItem> chunk(
        misses.begin() + begin, misses.begin() + std::min(misses.size(), begin + batch_size));
    upstream::Request request{http::verb::post, target, 11};
    request.set(http::field::content_type, "application/json");
    request.body() = cache::make_batch_request(chunk);
    std::vector<FillTicket> tickets;
    for (const auto& item : chunk) {
      tickets.push_back(env.cache.ticket(env.app.index, item.message_server_id));
    }
    auto reply = co_await env.upstream.call(std::move(request), env.app, env.ctx, env.ctx.trace_id);
    // A call that fails as a whole fails the client's batch with it.
    if (!reply.http_ok() || reply.code != 200) {
      co_return UpstreamCaller::relay(std::move(reply), env.ctx, env.version(), false);
    }
    auto parsed = cache::parse_batch_reply(reply.outcome.response.body());
    if (!parsed) {
      co_return gateway_error(env.ctx, http::status::bad_gateway, 500, "malformed upstream reply",
                              "upstream_bad_reply", env.version());
    }
    for (auto& json : parsed->success_json) {
      auto facts = cache::extract_facts(json);
      if (!facts) continue;
      const auto id = facts->message_server_id;
      for (std::size_t i = 0; i < chunk.size(); ++i) {
        if (chunk[i].message_server_id == id)
          co_await env.cache.fill_message(env.worker, tickets[i], json);
      }
      answers.messages.emplace(id, std::move(json));
    }
    for (auto& failed : parsed->failed) {
      for (std::size_t i = 0; i < chunk.size(); ++i) {
        if (chunk[i].message_server_id == failed.message_server_id && failed.error_code == 107404 &&
            chunk[i].has_create_time) {
          co_await env.cache.fill_not_found(env.worker, tickets[i], *conversation,
                                            chunk[i].create_time);
        }
      }
      answers.failures.emplace(failed.message_server_id, std::move(failed));
    }
  }

  const std::string_view cache_result = misses.empty() ? "hit" : (cached > 0 ? "partial" : "miss");
  co_return json_answer(env, merged_body(*items, answers), 200, cache_result);
}

}  // namespace yxgate::pipeline
