#pragma once
// The model behind the coherence checker (coherence_checker_test.cpp): a
// history of timed operations on messages and the checks of SPEC §11.2.
// Pure: no processes, no HTTP.
//
// Mutations of one conversation are serialised by the workload, so each
// message's versions are totally ordered: version 0 is the seed, version k
// took effect somewhere inside mutation k's [invoked, completed] interval.
// A read of message m answering value x over [ri, rc] is linearizable iff
// some version j with value x may have been current during it:
//   (j == 0 or mut_j.invoked <= rc) and (j is last or mut_{j+1}.completed >= ri).
// A read that started after mutation k completed and returned an older
// version is reported as "stale after a completed mutation" (read-your-writes).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace yxgate::testing::coherence {

using Clock = std::chrono::steady_clock;
inline constexpr std::string_view kDeleted = "<107404>";

struct Op {
  std::uint64_t number = 0;
  std::string what;  // "GET v2 no-time via A", "modifyMsg via B", ...
  Clock::time_point invoked;
  Clock::time_point completed;
  std::string outcome;  // the value read or written, or the error
};

// One message's mutation history and every read of it.
struct MessageHistory {
  std::string seed_value;
  struct Version {
    std::string value;
    Op op;
  };
  std::vector<Version> versions;  // after the seed, in order
  struct Read {
    std::string value;
    Op op;
  };
  std::vector<Read> reads;
};

class History {
 public:
  explicit History(Clock::time_point start) : start_(start) {}

  void seed(std::uint64_t id, std::string value) {
    std::lock_guard lock(mutex_);
    messages_[id].seed_value = std::move(value);
  }
  void mutated(std::uint64_t id, std::string value, const Op& op) {
    std::lock_guard lock(mutex_);
    messages_[id].versions.push_back({std::move(value), op});
  }
  void read(std::uint64_t id, std::string value, const Op& op) {
    std::lock_guard lock(mutex_);
    messages_[id].reads.push_back({std::move(value), op});
  }
  // Answers that can never be right (another conversation's message, an
  // error the gateway should not give): recorded as they happen.
  void violation(std::string text) {
    std::lock_guard lock(mutex_);
    if (first_direct_.empty()) first_direct_ = std::move(text);
    ++direct_violations_;
  }

  struct Result {
    std::size_t violations = 0;
    std::string first;  // the first violation and its message's history
  };
  Result check() const;

 private:
  // The operations on one message around `focus` (1 s before it to 200 ms
  // after): the history a violation needs.
  std::string render(std::uint64_t id, const MessageHistory& m, const Op& focus) const;
  double ms(Clock::time_point t) const {
    return std::chrono::duration<double, std::milli>(t - start_).count();
  }

  Clock::time_point start_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, MessageHistory> messages_;
  std::string first_direct_;
  std::size_t direct_violations_ = 0;
};

inline std::string History::render(std::uint64_t id, const MessageHistory& m,
                                   const Op& focus) const {
  std::string out = "history of message " + std::to_string(id) +
                    " from 1 s before the violation (ms since start):\n";
  out += "  seed value: " + m.seed_value + "\n";
  struct Line {
    Clock::time_point at;
    std::string text;
  };
  std::vector<Line> lines;
  const auto line = [&](const Op& op, std::string_view kind, const std::string& value) {
    if (op.completed < focus.invoked - std::chrono::seconds(1) ||
        op.invoked > focus.completed + std::chrono::milliseconds(200)) {
      return;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "  [%9.1f, %9.1f] #%llu ", ms(op.invoked), ms(op.completed),
                  static_cast<unsigned long long>(op.number));
    lines.push_back({op.invoked, std::string(buf) + std::string(kind) + " " + op.what + " -> " +
                                     value + (op.outcome.empty() ? "" : " (" + op.outcome + ")")});
  };
  for (const auto& v : m.versions) line(v.op, "WRITE", v.value);
  for (const auto& r : m.reads) line(r.op, "read ", r.value);
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.at < b.at; });
  for (const auto& l : lines) out += l.text + "\n";
  return out;
}

inline History::Result History::check() const {
  std::lock_guard lock(mutex_);
  Result result;
  result.violations = direct_violations_;
  result.first = first_direct_;
  for (const auto& [id, m] : messages_) {
    for (const auto& r : m.reads) {
      const auto ri = r.op.invoked;
      const auto rc = r.op.completed;
      bool possible = false;
      std::optional<std::size_t> stale_after;  // a mutation completed before the read began
      const std::size_t count = m.versions.size() + 1;
      for (std::size_t j = 0; j < count && !possible; ++j) {
        const auto& value = j == 0 ? m.seed_value : m.versions[j - 1].value;
        if (value != r.value) continue;
        const bool started = j == 0 || m.versions[j - 1].op.invoked <= rc;
        const bool still = j + 1 == count || m.versions[j].op.completed >= ri;
        if (started && still) possible = true;
        if (started && !still) stale_after = j;  // versions[j] replaced it before the read began
      }
      if (possible) continue;
      ++result.violations;
      if (!result.first.empty()) continue;
      result.first = "read #" + std::to_string(r.op.number) + " of message " + std::to_string(id) +
                     " answered \"" + r.value + "\": " +
                     (stale_after ? "an older version, after a mutation of it had completed "
                                    "(read-your-writes)"
                                  : "a value upstream never held during the read") +
                     "\n" + render(id, m, r.op);
    }
  }
  return result;
}

}  // namespace yxgate::testing::coherence
