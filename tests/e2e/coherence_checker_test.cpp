// Model-based coherence checker (SPEC §3.3, §11.2, §11.3; issue 16): a
// seeded random workload of concurrent reads and mutations through two
// replicas sharing a real Redis, against the emulator with random upstream
// delays, with Redis pauses and kills injected; every answer is checked
// against the versions upstream held (coherence_model.hpp).
//
//   YXGATE_CHECKER_OPS=100000   operations (default 5000)
//   YXGATE_CHECKER_SEED=N       workload seed (default: from the clock; printed)
//   YXGATE_CHECKER_LOCAL_OFF=1  cache.local.max_bytes: 0 (the batch guard
//                               without the local layer, issue 16 defect 2)
//   YXGATE_CHECKER_FAULTS=0     no Redis pauses / kills
//   YXGATE_CHECKER_NO_TIME_MUTATED=0  lookups without message_time only of
//                               a conversation nothing mutates. On (1) by
//                               default: it found issue 16 defect 1 (a
//                               single-flight GET that left before a
//                               mutation joined after it returned) in about
//                               1 of 4 runs of 5,000 operations before the fix.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

#include "e2e/coherence_model.hpp"
#include "e2e/gateway_test_env.hpp"
#include "support/redis_server.hpp"

namespace yxgate::testing {
namespace {

using coherence::Clock;
using coherence::History;
using coherence::kDeleted;
using coherence::Op;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 10) : fallback;
}

struct Conversation {
  std::string cid;  // percent-encoded path segment
  int type;
  std::uint64_t first_id;
  // Ownership of an answer (SPEC §3.1): the pair, or the team.
  std::string a, b;
  std::int64_t team = 0;
};

const std::vector<Conversation> kConversations = {
    {"alice%7C1%7Cbob", 1, 1, "alice", "bob"},
    {"alice%7C2%7C1001", 2, 100001, "", "", 1001},
    {"carol%7C1%7Cdave", 1, 300001, "carol", "dave"},
    // Read-only: lookups without message_time, unless NO_TIME_MUTATED.
    {"carol%7C3%7C2001", 3, 200001, "", "", 2001},
};
constexpr std::size_t kMutable = 3;
constexpr std::uint64_t kIdsPerConversation = 24;

std::uint64_t create_time(std::uint64_t id) { return 1700000000000ull + id * 1000; }

class Checker {
 public:
  Checker(std::uint64_t seed, bool local_off, bool no_time_mutated)
      : seed_(seed), no_time_mutated_(no_time_mutated), history_(Clock::now()) {
    redis_ = std::make_unique<RedisServerProcess>();
    emulator_ = std::make_unique<EmulatorProcess>();
    const std::string yaml = std::string("cache:\n") +
                             (local_off ? "  local:\n    max_bytes: 0\n" : "") +
                             "  redis:\n    url: " + redis_->url() + "\n    timeout: 100ms\n";
    for (int i = 0; i < 2; ++i) {
      // Upstream rate limits are not what this checks: out of the way.
      replicas_.push_back(std::make_unique<GatewayProcess>(GatewayOptions{
          .upstream_url = emulator_->base_url(),
          .extra_yaml = yaml,
          .app_yaml = "    rate_limits:\n      default: { rate: 100000, burst: 100000 }\n"
                      "      get_message: { rate: 100000, burst: 100000 }\n"
                      "      batch_messages: { rate: 100000, burst: 100000 }\n"}));
    }
    for (const auto& c : kConversations) {
      for (std::uint64_t i = 0; i < kIdsPerConversation; ++i) {
        history_.seed(c.first_id + i, "message " + std::to_string(c.first_id + i));
      }
    }
  }

  History::Result run(std::uint64_t ops, int threads, bool faults) {
    std::atomic<bool> done{false};
    std::thread fault_thread;
    if (faults) fault_thread = std::thread([&] { inject_faults(done); });
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] { work(t, ops / threads); });
    }
    for (auto& w : workers) w.join();
    done = true;
    if (fault_thread.joinable()) fault_thread.join();
    return history_.check();
  }

 private:
  void inject_faults(const std::atomic<bool>& done) {
    std::mt19937_64 rng(seed_ ^ 0xfa17);
    const auto ms = [&](int lo, int hi) {
      return std::chrono::milliseconds(std::uniform_int_distribution<int>(lo, hi)(rng));
    };
    // Pacing, not synchronisation: the workload runs regardless.
    while (!done) {
      std::this_thread::sleep_for(ms(200, 700));
      if (done) break;
      if (rng() % 3 != 0) {
        redis_->pause();
        std::this_thread::sleep_for(ms(30, 400));
        redis_->resume();
      } else {
        redis_->stop();
        std::this_thread::sleep_for(ms(50, 300));
        redis_->restart();
      }
    }
  }

  void work(int thread, std::uint64_t ops) {
    std::mt19937_64 rng(seed_ * 1000003 + thread);
    std::vector<std::unique_ptr<KeepAliveClient>> clients;
    for (auto& r : replicas_) clients.push_back(std::make_unique<KeepAliveClient>(r->port()));
    for (std::uint64_t i = 0; i < ops; ++i) step(rng, clients);
  }

  Headers delay(std::mt19937_64& rng) {
    const int latency = static_cast<int>(rng() % 40);
    if (latency < 5) return {};
    return {{"X-Emulator-Fault", "latency;latency_ms=" + std::to_string(latency)}};
  }

  void step(std::mt19937_64& rng, std::vector<std::unique_ptr<KeepAliveClient>>& clients) {
    const auto replica = rng() % clients.size();
    auto& client = *clients[replica];
    const auto& conv = kConversations[rng() % kMutable];
    const auto id = conv.first_id + rng() % kIdsPerConversation;
    const std::string via = replica == 0 ? " via A" : " via B";
    const auto roll = rng() % 1000;
    Op op{next_op_++, "", Clock::now(), {}, ""};
    if (roll < 180) {  // modify
      std::unique_lock lock(mutation_mutex_[&conv - kConversations.data()]);
      const auto text = "c" + std::to_string(op.number);
      op.what = "modifyMsg" + via;
      op.invoked = Clock::now();
      const auto res = client.request("POST", "/im/v2/messages/actions/modifyMsg",
                                      with(delay(rng), {"Content-Type", "application/json"}),
                                      R"({"message":{"message_server_id":)" + std::to_string(id) +
                                          R"(,"text":")" + text + R"("}})");
      op.completed = Clock::now();
      const auto code = json_get_int(res.body, "/code");
      if (code == 200) {
        history_.mutated(id, json_get_string(res.body, "/data/text").value_or("?"), op);
      } else if (code != 107404) {
        history_.violation("modifyMsg #" + std::to_string(op.number) + " of " + std::to_string(id) +
                           " failed: " + res.error + " " + res.body);
      }
      return;
    }
    if (roll < 197) {  // recall one message / clear the conversation
      const bool clear = roll >= 195;
      std::unique_lock lock(mutation_mutex_[&conv - kConversations.data()]);
      op.what = (clear ? "clear " : "recall ") + conv.cid + via;
      op.invoked = Clock::now();
      const auto target = "/im/v2/conversations/" + conv.cid + "/messages" +
                          (clear ? "" : "/" + std::to_string(id)) +
                          "?type=" + std::to_string(conv.type);
      const auto res = client.request("DELETE", target, delay(rng));
      op.completed = Clock::now();
      const auto code = json_get_int(res.body, "/code");
      if (code == 200) {
        for (std::uint64_t i = 0; i < kIdsPerConversation; ++i) {
          if (clear || conv.first_id + i == id)
            history_.mutated(conv.first_id + i, std::string(kDeleted), op);
        }
      } else if (code != 107404) {
        history_.violation(op.what + " #" + std::to_string(op.number) + " failed: " + res.error +
                           " " + res.body);
      }
      return;
    }
    read(rng, client, conv, id, via, op);
  }

  void read(std::mt19937_64& rng, KeepAliveClient& client, const Conversation& mutated,
            std::uint64_t mutated_id, const std::string& via, Op op) {
    const auto kind = rng() % 10;
    const bool read_only = kind >= 4 && kind < 7 && !no_time_mutated_;
    const auto& conv = read_only ? kConversations[kMutable] : mutated;
    const auto id = read_only ? conv.first_id + mutated_id % kIdsPerConversation : mutated_id;
    // Upstream serves single lookups under /im/v2/ only, batches under both.
    const std::string batch_prefix = rng() % 2 ? "/im/v2/" : "/im/v2.1/";
    const std::string prefix = "/im/v2/";
    // A read of another conversation's id must always be 107404.
    const bool cross = rng() % 20 == 0;
    const auto& asked =
        cross ? kConversations[(&conv - kConversations.data() + 1) % kConversations.size()] : conv;
    std::vector<std::uint64_t> ids{id};
    HttpResponse res;
    if (kind < 7) {
      const bool timed = kind < 4;
      op.what = "GET " + prefix + (timed ? " message_time" : " no-time") + via;
      op.invoked = Clock::now();
      res =
          client.request("GET",
                         prefix + "conversations/" + asked.cid + "/messages/" + std::to_string(id) +
                             (timed ? "?message_time=" + std::to_string(create_time(id)) : ""),
                         delay(rng));
    } else {
      const auto more = rng() % 4;
      for (std::uint64_t k = 0; k < more; ++k) {
        const auto other = conv.first_id + rng() % kIdsPerConversation;
        if (std::find(ids.begin(), ids.end(), other) == ids.end()) ids.push_back(other);
      }
      std::string body = R"({"messages":[)";
      for (std::size_t k = 0; k < ids.size(); ++k) {
        body += (k ? "," : "") + std::string(R"({"message_server_id":)") + std::to_string(ids[k]) +
                R"(,"create_time":)" + std::to_string(create_time(ids[k])) + "}";
      }
      body += "]}";
      op.what = "batch_messages " + batch_prefix + via;
      op.invoked = Clock::now();
      res = client.request("POST", batch_prefix + "conversations/" + asked.cid + "/batch_messages",
                           with(delay(rng), {"Content-Type", "application/json"}), body);
    }
    op.completed = Clock::now();
    const auto code = json_get_int(res.body, "/code");
    const auto fail = [&](const std::string& why) {
      history_.violation(op.what + " #" + std::to_string(op.number) + " of " + std::to_string(id) +
                         " via " + asked.cid + ": " + why + " " + res.error + " " + res.body);
    };
    if (code != 200 && !(code == 107404 && ids.size() == 1)) return fail("unexpected answer");
    for (std::size_t k = 0; k < ids.size(); ++k) {
      std::optional<std::string> value;
      std::string at;
      if (ids.size() == 1 && kind < 7) {
        if (code == 107404) value = std::string(kDeleted);
        at = "/data";
      } else {
        // Items are answered in request order (emulator/README.md).
        for (std::size_t s = 0; json_get_int(
                 res.body, "/data/success_list/" + std::to_string(s) + "/message_server_id");
             ++s) {
          const auto p = "/data/success_list/" + std::to_string(s);
          if (json_get_int(res.body, p + "/message_server_id") == std::int64_t(ids[k])) at = p;
        }
        if (at.empty()) value = std::string(kDeleted);
      }
      if (!value) {
        if (!owned_by(res.body, at, asked)) return fail("another conversation's message");
        value = json_get_string(res.body, at + "/text").value_or("?");
      }
      if (cross) {
        if (*value != kDeleted) fail("another conversation's message");
        continue;
      }
      history_.read(ids[k], *value, op);
    }
  }

  static bool owned_by(const std::string& body, const std::string& at, const Conversation& c) {
    if (c.type != 1) {
      return json_get_int(body, at + "/conversation_type") == c.type &&
             json_get_int(body, at + "/team_id") == c.team;
    }
    const auto s = json_get_string(body, at + "/sender_id").value_or("");
    const auto r = json_get_string(body, at + "/receiver_id").value_or("");
    return (s == c.a && r == c.b) || (s == c.b && r == c.a);
  }

  static Headers with(Headers headers, std::pair<std::string, std::string> extra) {
    headers.push_back(std::move(extra));
    return headers;
  }

  std::uint64_t seed_;
  bool no_time_mutated_;
  History history_;
  std::atomic<std::uint64_t> next_op_{1};
  std::mutex mutation_mutex_[3];  // one mutation per conversation at a time
  std::unique_ptr<RedisServerProcess> redis_;
  std::unique_ptr<EmulatorProcess> emulator_;
  std::vector<std::unique_ptr<GatewayProcess>> replicas_;
};

TEST(CoherenceChecker, NoReadEverReturnsAVersionUpstreamDidNotHoldDuringIt) {
  const auto seed = env_number(
      "YXGATE_CHECKER_SEED",
      static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()));
  const auto ops = env_number("YXGATE_CHECKER_OPS", 5000);
  const bool local_off = env_number("YXGATE_CHECKER_LOCAL_OFF", 0) != 0;
  const bool faults = env_number("YXGATE_CHECKER_FAULTS", 1) != 0;
  const bool no_time_mutated = env_number("YXGATE_CHECKER_NO_TIME_MUTATED", 1) != 0;
  std::printf("coherence checker: seed %llu, %llu operations%s%s%s\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(ops),
              local_off ? ", local layer off" : "", faults ? ", Redis pauses and kills" : "",
              no_time_mutated ? ", lookups without message_time of mutated messages" : "");
  Checker checker(seed, local_off, no_time_mutated);
  const auto result = checker.run(ops, 8, faults);
  EXPECT_EQ(result.violations, 0u) << "seed " << seed << "; first violation:\n" << result.first;
}

}  // namespace
}  // namespace yxgate::testing
