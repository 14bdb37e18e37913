#pragma once
// One coalesced batch as an upstream call (SPEC §3.1.4-5, §11.1): POST
// coalesce.batch_path, and upstream's reply read per item. This is the
// coalescing core's send function; it knows nothing of waiters or caches.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string_view>

#include "coalesce/item_result.hpp"
#include "upstream/upstream_caller.hpp"

namespace yxgate::coalesce {
// A batch call that failed as a whole: upstream's answer, relayed to every
// waiter (item_result.hpp declares it for the core).
struct CallFailure : upstream::UpstreamReply {};
}  // namespace yxgate::coalesce

namespace yxgate::gateway {

// Told each (app, id, create_time) upstream returned (SPEC §11.5).
using LearnTime = std::function<void(std::uint32_t, std::uint64_t, std::uint64_t)>;

boost::asio::awaitable<coalesce::BatchOutcome> send_batch(upstream::UpstreamCaller& upstream,
                                                          const upstream::AppCredentials& app,
                                                          std::string_view batch_path,
                                                          const coalesce::BatchCall& call,
                                                          const LearnTime& learn);

// Reads upstream's answer to `call` into one result per item (no trace id,
// no sharing: the core sets those).
coalesce::BatchOutcome read_batch_reply(upstream::UpstreamReply reply,
                                        const coalesce::BatchCall& call, const LearnTime& learn);

}  // namespace yxgate::gateway
