#pragma once
// The coherence checker's workload (coherence_checker_test.cpp,
// redis_cluster_reshard_test.cpp): seeded random reads (single GETs with and
// without message_time, batches, cross-conversation reads) and mutations
// (modifyMsg, recall, clear) through several replicas, each answer recorded
// in a coherence::History (coherence_model.hpp) against the versions
// upstream (the emulator) held. Mutations of one conversation are serialised.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "e2e/coherence_model.hpp"
#include "e2e/gateway_test_env.hpp"

namespace yxgate::testing {

struct Conversation {
  std::string cid;  // percent-encoded path segment
  int type;
  std::uint64_t first_id;
  // Ownership of an answer (SPEC §3.1): the pair, or the team.
  std::string a, b;
  std::int64_t team = 0;
};

inline const std::vector<Conversation> kConversations = {
    {"alice%7C1%7Cbob", 1, 1, "alice", "bob"},
    {"alice%7C2%7C1001", 2, 100001, "", "", 1001},
    {"carol%7C1%7Cdave", 1, 300001, "carol", "dave"},
    // Read-only: lookups without message_time, unless NO_TIME_MUTATED.
    {"carol%7C3%7C2001", 3, 200001, "", "", 2001},
};
inline constexpr std::size_t kMutable = 3;
inline constexpr std::uint64_t kIdsPerConversation = 24;

inline std::uint64_t create_time(std::uint64_t id) { return 1700000000000ull + id * 1000; }

class CoherenceWorkload {
 public:
  using Clock = coherence::Clock;
  using Op = coherence::Op;

  // `ports`: the replicas' data ports; each client thread talks to all.
  CoherenceWorkload(std::uint64_t seed, bool no_time_mutated, std::vector<std::uint16_t> ports)
      : seed_(seed),
        no_time_mutated_(no_time_mutated),
        ports_(std::move(ports)),
        history_(Clock::now()) {
    for (const auto& c : kConversations) {
      for (std::uint64_t i = 0; i < kIdsPerConversation; ++i) {
        history_.seed(c.first_id + i, "message " + std::to_string(c.first_id + i));
      }
    }
  }

  // `threads` clients, each `ops_per_thread` operations or until `*stop`.
  void run(int threads, std::uint64_t ops_per_thread, const std::atomic<bool>* stop = nullptr) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] { work(t, ops_per_thread, stop); });
    }
    for (auto& w : workers) w.join();
  }
  // Operations completed so far (any thread).
  std::uint64_t completed() const { return completed_; }
  coherence::History::Result check() const { return history_.check(); }

 private:
  void work(int thread, std::uint64_t ops, const std::atomic<bool>* stop) {
    std::mt19937_64 rng(seed_ * 1000003 + thread);
    std::vector<std::unique_ptr<KeepAliveClient>> clients;
    for (const auto port : ports_) clients.push_back(std::make_unique<KeepAliveClient>(port));
    for (std::uint64_t i = 0; i < ops && !(stop && *stop); ++i) {
      step(rng, clients);
      ++completed_;
    }
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
            history_.mutated(conv.first_id + i, std::string(coherence::kDeleted), op);
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
        if (code == 107404) value = std::string(coherence::kDeleted);
        at = "/data";
      } else {
        // Items are answered in request order (emulator/README.md).
        for (std::size_t s = 0; json_get_int(
                 res.body, "/data/success_list/" + std::to_string(s) + "/message_server_id");
             ++s) {
          const auto p = "/data/success_list/" + std::to_string(s);
          if (json_get_int(res.body, p + "/message_server_id") == std::int64_t(ids[k])) at = p;
        }
        if (at.empty()) value = std::string(coherence::kDeleted);
      }
      if (!value) {
        if (!owned_by(res.body, at, asked)) return fail("another conversation's message");
        value = json_get_string(res.body, at + "/text").value_or("?");
      }
      if (cross) {
        if (*value != coherence::kDeleted) fail("another conversation's message");
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
  std::vector<std::uint16_t> ports_;
  coherence::History history_;
  std::atomic<std::uint64_t> next_op_{1};
  std::atomic<std::uint64_t> completed_{0};
  std::mutex mutation_mutex_[3];  // one mutation per conversation at a time
};

}  // namespace yxgate::testing
