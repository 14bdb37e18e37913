// Property (SPEC §11.1): every spelling of one request either is refused or
// gives the same understanding (cache key, batch items, invalidation target)
// and the same upstream bytes as the canonical spelling. Random encodings
// from a fixed seed: percent-encoding of any byte of names, values and ids
// (either hex case), parameter and key order, whitespace, escaped keys,
// duplicates, unknown parameters.
#include <gtest/gtest.h>

#include <random>

#include "cache/upstream_reply.hpp"
#include "fidelity/json_body.hpp"
#include "fidelity/parsed_request.hpp"
#include "fidelity/url_text.hpp"
#include "router/path_guard.hpp"
#include "router/route.hpp"

namespace yxgate::fidelity {
namespace {

constexpr int kRounds = 3000;

class Speller {
 public:
  explicit Speller(std::uint32_t seed) : rng_(seed) {}
  bool chance(int percent) { return std::uniform_int_distribution<int>(0, 99)(rng_) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng_)];
  }
  std::uint64_t number(std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }

  // Percent-encodes any byte at random; bytes a URL cannot carry raw always.
  std::string url(std::string_view text, std::string_view raw_ok) {
    std::string out;
    for (char ch : text) {
      const auto c = static_cast<unsigned char>(ch);
      const bool may_be_raw = std::isalnum(c) || raw_ok.find(ch) != std::string_view::npos;
      if (may_be_raw && !chance(30)) {
        out += ch;
      } else {
        const char* hex = chance(50) ? "0123456789ABCDEF" : "0123456789abcdef";
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 0xF];
      }
    }
    return out;
  }
  // A JSON key, some characters written as \u escapes.
  std::string key(std::string_view name) {
    std::string out = "\"";
    for (char ch : name) {
      if (chance(20)) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(ch));
        out += buf;
      } else {
        out += ch;
      }
    }
    return out + "\"";
  }
  std::string space() {
    static const std::vector<std::string> kSpaces = {"", "", " ", "\n", "\t ", "\r\n  "};
    return pick(kSpaces);
  }
  template <class T>
  void shuffle(std::vector<T>& items) {
    std::shuffle(items.begin(), items.end(), rng_);
  }

 private:
  std::mt19937 rng_;
};

const std::vector<std::string> kAccounts = {"alice", "bob",   "a.b_c-d~e", "\xC3\xA9t\xC3\xA9",
                                            "x+y",   "u:v@w", "carol!$"};

router::ConversationId random_conversation(Speller& s) {
  router::ConversationId id;
  id.owner_id = s.pick(kAccounts);
  id.type = static_cast<router::ConversationType>(s.number(1, 3));
  if (id.is_team()) {
    id.team_id = s.number(1, 1'000'000);
  } else {
    id.other_id = s.pick(kAccounts);
  }
  return id;
}

struct Understanding {
  std::string conversation;
  std::uint64_t id;
  std::optional<std::uint64_t> time;
  bool check_team_valid;
  bool check_member;
  std::string target;
  friend bool operator==(const Understanding&, const Understanding&) = default;
};

// What the gateway does with a GET target: the guard, one decoding of the
// path, routing, then the reader.
std::optional<Understanding> understand(std::string_view target) {
  const auto parts = router::split_target(target);
  if (!router::check_path(parts.path)) return std::nullopt;
  std::string routed(parts.path);
  if (routed.find('%') != std::string::npos) {
    auto decoded = decode_path_segment(routed);
    if (decoded) routed = *decoded;
  }
  const auto route = router::classify("GET", routed);
  if (route.kind != router::RouteKind::kGetMessage) return std::nullopt;
  auto lookup = read_single_get(route.conversation_id, route.message_server_id, parts.query);
  if (!lookup) return std::nullopt;
  return Understanding{lookup->conversation.to_string(),
                       lookup->message_server_id,
                       lookup->message_time,
                       lookup->check_team_valid,
                       lookup->check_team_member_valid,
                       single_get_target(route.prefix, *lookup)};
}

TEST(FidelityProperty, EverySpellingOfASingleGetIsRefusedOrReadTheSameWay) {
  Speller s(20261129);
  int accepted = 0;
  int refused = 0;
  for (int round = 0; round < kRounds; ++round) {
    const auto conversation = random_conversation(s);
    const auto id = s.number(1, 9'223'372'036'854'775'807ull);
    std::vector<std::pair<std::string, std::string>> params;
    if (s.chance(70)) params.emplace_back("message_time", std::to_string(s.number(0, 1ull << 50)));
    if (s.chance(20)) params.emplace_back("check_team_valid", s.chance(50) ? "true" : "false");
    if (s.chance(20))
      params.emplace_back("check_team_member_valid", s.chance(50) ? "true" : "false");
    std::string canonical_query;
    for (const auto& [name, value] : params) {
      canonical_query += (canonical_query.empty() ? "" : "&") + name + "=" + value;
    }
    const std::string prefix = s.chance(50) ? "/im/v2/" : "/im/v2.1/";
    const auto canonical =
        understand(prefix + "conversations/" + conversation_segment(conversation) + "/messages/" +
                   std::to_string(id) + (canonical_query.empty() ? "" : "?" + canonical_query));
    ASSERT_TRUE(canonical) << conversation.to_string();

    // Another spelling of the same question.
    auto spelled = params;
    if (s.chance(20)) spelled.emplace_back("unknown_param", "1");
    // A known parameter given twice is ambiguous; an unknown one is dropped.
    bool duplicated = false;
    if (!spelled.empty() && s.chance(10)) {
      spelled.push_back(s.pick(spelled));
      duplicated = spelled.back().first != "unknown_param";
    }
    s.shuffle(spelled);
    std::string query;
    for (const auto& [name, value] : spelled) {
      if (!query.empty()) query += s.chance(10) ? "&&" : "&";
      query += s.url(name, "_") + "=" + s.url(value, "");
    }
    std::string target = prefix + s.url("conversations", "") + "/" +
                         s.url(conversation.to_string(), "|-._~!$'()*+,;=:@") + "/" +
                         s.url("messages", "") + "/" + s.url(std::to_string(id), "") +
                         (query.empty() ? "" : "?" + query);
    const auto read = understand(target);
    if (!read) {
      ++refused;
      continue;
    }
    EXPECT_FALSE(duplicated) << target;
    EXPECT_EQ(*read, *canonical) << target;
    ++accepted;
  }
  // Both outcomes happen, or the property says nothing.
  EXPECT_GT(accepted, kRounds / 2);
  EXPECT_GT(refused, 0);
}

// `quoted`: set when the id was written as a string (refused: SPEC §11.1).
std::string item_json(Speller& s, const cache::BatchItem& item, bool duplicate_key, bool& quoted) {
  const bool quote = s.chance(1);
  quoted = quoted || quote;
  std::vector<std::string> fields = {
      s.key("message_server_id") + s.space() + ":" + s.space() +
          (quote ? "\"" + std::to_string(item.message_server_id) + "\""
                 : std::to_string(item.message_server_id)),
      s.key("create_time") + ":" + s.space() + std::to_string(item.create_time)};
  if (s.chance(10)) fields.push_back(s.key("extra") + ":[1,{\"a\":null}]");
  if (duplicate_key)
    fields.push_back(s.key("create_time") + ":" + std::to_string(item.create_time));
  s.shuffle(fields);
  std::string out = "{" + s.space();
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," + s.space() : "") + fields[i];
  return out + s.space() + "}";
}

TEST(FidelityProperty, EverySpellingOfABatchBodyIsRefusedOrAsksTheSameItems) {
  Speller s(4242);
  int accepted = 0;
  int refused = 0;
  for (int round = 0; round < kRounds / 3; ++round) {
    std::vector<cache::BatchItem> items(s.number(1, 100));
    for (auto& item : items) {
      item.message_server_id = s.number(1, 9'223'372'036'854'775'807ull);
      item.create_time = s.number(0, 1ull << 50);
    }
    const auto canonical_bytes = cache::make_batch_request(items);
    const bool duplicate = s.chance(15);
    bool quoted = false;
    std::string body = s.space() + "{" + s.space() + s.key("messages") + ":" + s.space() + "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      body += (i ? "," + s.space() : "") + item_json(s, items[i], duplicate && i == 0, quoted);
    }
    body += "]" + s.space() + "}" + s.space();
    auto read = read_batch_body(body);
    if (!read) {
      ++refused;
      EXPECT_TRUE(duplicate || quoted) << read.error().message << "\n" << body;
      continue;
    }
    EXPECT_FALSE(duplicate || quoted) << body;
    EXPECT_EQ(cache::make_batch_request(*read), canonical_bytes) << body;
    ++accepted;
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, 0);
}

TEST(FidelityProperty, EverySpellingOfAModifyBodyIsRefusedOrNamesTheSameMessage) {
  Speller s(7);
  for (int round = 0; round < kRounds / 3; ++round) {
    const auto id = s.number(1, 9'223'372'036'854'775'807ull);
    const auto canonical = read_modify_body(R"({"message":{"message_server_id":)" +
                                            std::to_string(id) + R"(,"text":"hi"},"op":"x"})");
    ASSERT_TRUE(canonical.ok());
    const bool duplicate = s.chance(20);
    const bool reorder = s.chance(30);
    std::vector<std::string> message = {
        s.key("message_server_id") + ":" + s.space() + std::to_string(id),
        s.key("text") + ":" + s.space() + "\"h\\u0069\""};
    if (duplicate) message.push_back(s.key("message_server_id") + ":" + std::to_string(id + 1));
    if (reorder) s.shuffle(message);
    std::string inner = "{";
    for (std::size_t i = 0; i < message.size(); ++i)
      inner += (i ? "," + s.space() : "") + message[i];
    inner += "}";
    const auto body = "{" + s.space() + s.key("message") + ":" + s.space() + inner + "," +
                      s.key("op") + ":\"x\"" + s.space() + "}";
    auto read = read_modify_body(body);
    if (!read) {
      EXPECT_TRUE(duplicate) << read.error().message << "\n" << body;
      continue;
    }
    EXPECT_FALSE(duplicate) << body;
    EXPECT_EQ(read->message_server_id, id) << body;
    if (!reorder) {
      EXPECT_EQ(read->canonical, canonical->canonical) << body;
    }
    // What is forwarded reads back as itself.
    EXPECT_EQ(read_modify_body(read->canonical)->canonical, read->canonical);
  }
}

}  // namespace
}  // namespace yxgate::fidelity
