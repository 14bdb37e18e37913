#include "gateway/batch_call.hpp"

#include <map>
#include <optional>

#include "gateway/batch_messages_route.hpp"
#include "metrics/yxgate_metrics.hpp"
#include "signing/signer.hpp"
#include "yunxin/codes.hpp"

namespace yxgate::gateway {
namespace asio = boost::asio;
namespace http = server::http;
using coalesce::ItemResult;

namespace {
using ItemKey = std::pair<std::uint64_t, std::uint64_t>;
}  // namespace

asio::awaitable<coalesce::BatchOutcome> send_batch(upstream::UpstreamCaller& upstream,
                                                   const upstream::AppCredentials& app,
                                                   std::string_view batch_path,
                                                   const coalesce::BatchCall& call,
                                                   const LearnTime& learn) {
  request::RequestContext ctx;
  ctx.route = router::RouteClass::kBatchMessages;
  ctx.trace_id = signing::make_trace_id();  // a new request: its own trace id (SPEC §2)
  upstream::Request request{http::verb::post, batch_target(batch_path, call.encoded_conversation)};
  request.add_field("Content-Type", "application/json");
  // The gateway reads this reply: ask for it uncompressed (SPEC §11.1).
  request.add_field("Accept-Encoding", "identity");
  request.body() = cache::make_batch_request(call.items);
  // metrics: batch size per upstream batch call
  metrics::yxgate_metrics().upstream_batch_size.observe(static_cast<double>(call.items.size()));
  auto reply = co_await upstream.call(std::move(request), app, ctx, ctx.trace_id);
  auto outcome = read_batch_reply(std::move(reply), call, learn);
  outcome.trace_id = ctx.trace_id;
  co_return outcome;
}

coalesce::BatchOutcome read_batch_reply(upstream::UpstreamReply reply,
                                        const coalesce::BatchCall& call, const LearnTime& learn) {
  coalesce::BatchOutcome outcome;
  // A call our own limiter refused served nobody: its waiters are not "coalesced".
  outcome.called_upstream = !reply.rate_limited;
  auto& results = outcome.results;
  results.resize(call.items.size());
  std::optional<cache::BatchReply> parsed;
  if (reply.http_ok() && reply.code == 200) {
    if (auto p = cache::parse_batch_reply(reply.outcome.response.body())) parsed = std::move(*p);
  }
  if (!parsed) {
    // An HTTP 200 without a readable body is a 502 (SPEC §3.1); anything
    // else (transport failure, other status, body code != 200) is relayed.
    const bool malformed = reply.http_ok() && (!reply.code || *reply.code == 200);
    auto shared =
        std::make_shared<const coalesce::CallFailure>(coalesce::CallFailure{std::move(reply)});
    for (auto& r : results) {
      r.kind = ItemResult::Kind::kBatchFailed;
      r.batch = shared;
      r.malformed = malformed;
    }
    return outcome;
  }
  // Matched by (id, create_time): an item whose time is not the message's
  // gets what upstream's single GET gives it, 107404, also when the same
  // batch asks that id at the right time (SPEC §11.1).
  std::map<ItemKey, std::string*> found;
  for (auto& json : parsed->success_json) {
    if (auto facts = cache::extract_facts(json)) {
      found[{facts->message_server_id, facts->create_time}] = &json;
      if (learn) learn(call.app, facts->message_server_id, facts->create_time);
    }
  }
  std::map<ItemKey, cache::FailedItem*> failed;
  std::map<std::uint64_t, cache::FailedItem*> failed_by_id;  // entries without our time
  for (auto& f : parsed->failed) {
    failed[{f.message_server_id, f.create_time}] = &f;
    failed_by_id.emplace(f.message_server_id, &f);
  }
  for (std::size_t i = 0; i < call.items.size(); ++i) {
    const auto& item = call.items[i];
    const ItemKey key{item.message_server_id, item.create_time};
    auto& r = results[i];
    cache::FailedItem* failure = nullptr;
    if (auto f = failed.find(key); f != failed.end()) {
      failure = f->second;
    } else if (auto g = failed_by_id.find(item.message_server_id);
               g != failed_by_id.end() && g->second->error_code != yunxin::kMessageNotFound) {
      failure = g->second;  // e.g. an error upstream reports per id
    }
    if (auto it = found.find(key); it != found.end()) {
      r.kind = ItemResult::Kind::kMessage;
      r.message_json = *it->second;
    } else if (failure) {
      r.kind = ItemResult::Kind::kFailed;
      r.failed = *failure;
      r.failed.create_time = item.create_time;
      r.not_found_said =
          r.failed.error_code == yunxin::kMessageNotFound;  // cached by the core's fill sink
    } else {
      // Not in success_list at this time (or left out of both lists): what
      // upstream's single GET would say for this question. Not cached:
      // upstream did not say it.
      r.kind = ItemResult::Kind::kFailed;
      r.failed = {item.message_server_id, item.create_time, yunxin::kMessageNotFound,
                  std::string(yunxin::kMessageNotFoundText)};
    }
  }
  return outcome;
}

}  // namespace yxgate::gateway
