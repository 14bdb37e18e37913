#pragma once
// Write replay (SPEC §11.4), the pure part: which requests take part, the
// key naming one write, the stored answer and its encoding for Redis, and the
// process's table of records. No Asio: waiting is a callback.
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace yxgate::idempotency {

// POST, PUT, PATCH, DELETE: what upstream may act on twice.
bool is_write(std::string_view method);

// Names one write: the app's upstream identity (AppKey, so replicas of
// different apps sharing a Redis never meet), method, target, a digest of the
// body and the client's X-custom-traceid. The same trace id with any other
// request is another key: "idem:<sha256 hex>" (Redis: after cache.redis.key_prefix).
std::string replay_key(std::string_view app_key, std::string_view method, std::string_view target,
                       std::string_view body, std::string_view trace_id);

// An answer as the client got it, to give again.
struct StoredAnswer {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // no Content-Length
  std::string body;
  bool operator==(const StoredAnswer&) const = default;
};

// What Redis holds while the first request is in flight.
inline constexpr std::string_view kPendingMarker = "P";
// "A1\n<status>\n<header count>\n" then name\nvalue\n per header, then the body.
std::string encode(const StoredAnswer& answer);
// nullopt for the pending marker and anything not written by encode().
std::optional<StoredAnswer> decode(std::string_view text);

// The process's records, shared by every worker (one mutex; a record is
// touched a few times per write, never on the read path).
//
// Bounded (SPEC §7 has no key for it, so the bound is fixed): at most
// kMaxRecords records and kMaxBytes of keys and stored answers. Past either,
// the oldest completed records are forgotten first (a repeat of one of them
// goes upstream again); an in-flight record is never evicted, since its
// waiters need its answer. When every record is in flight and the table is
// full, a new write goes on without replay protection: claim() says so
// (`tracked` false) and unprotected() counts it.
class ReplayTable {
 public:
  struct Record;
  struct Claim {
    std::shared_ptr<Record> record;  // null when !tracked
    bool owner = false;              // first of its key: this request goes upstream
    bool tracked = true;             // false: table full of in-flight writes
  };
  struct Bounds {
    std::size_t max_records = 100000;
    std::size_t max_bytes = std::size_t{64} << 20;  // 64 MiB
  };
  // Per record beyond its key and answer: map node, shared_ptr block, FIFO slot.
  static constexpr std::size_t kRecordOverhead = 192;

  explicit ReplayTable(std::chrono::milliseconds window) : ReplayTable(window, Bounds{}) {}
  ReplayTable(std::chrono::milliseconds window, Bounds bounds) : window_(window), bounds_(bounds) {}

  Claim claim(const std::string& key, std::chrono::steady_clock::time_point now);
  // Calls `notify` once when `record` is finished (from the finishing thread),
  // unless it already is: then returns false and never calls it.
  bool on_finished(const std::shared_ptr<Record>& record, std::function<void()> notify);
  // The answer of a finished record.
  std::optional<StoredAnswer> answer(const std::shared_ptr<Record>& record) const;
  // The owner's answer. `keep`: upstream may have acted on the write, so
  // repeats within the window get this answer; otherwise the key is free
  // again (nothing reached upstream: a repeat may go upstream). Waiters get
  // `answer` either way.
  void finish(const std::shared_ptr<Record>& record, StoredAnswer answer, bool keep,
              std::chrono::steady_clock::time_point now);
  std::size_t size() const;
  std::size_t bytes() const;
  // Writes that went on without protection (table full of in-flight ones)
  // plus completed records dropped before their window ended.
  std::size_t unprotected() const;
  std::size_t evicted() const;

 private:
  void sweep(std::chrono::steady_clock::time_point now);   // under mutex_
  bool make_room(std::size_t records, std::size_t bytes);  // under mutex_
  void forget(const std::shared_ptr<Record>& record);      // under mutex_

  std::chrono::milliseconds window_;
  Bounds bounds_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Record>> records_;
  // Kept records in finish order: all share one window, so this is also
  // expiry order; entries already forgotten are skipped when met.
  std::deque<std::shared_ptr<Record>> completed_;
  std::size_t bytes_ = 0;  // of the records in records_
  std::size_t unprotected_ = 0;
  std::size_t evicted_ = 0;
  std::chrono::steady_clock::time_point next_sweep_{};
};

struct ReplayTable::Record {
  std::string key;
  bool finished = false;
  bool in_table = true;  // still in records_ (counted in bytes_)
  StoredAnswer answer;
  std::size_t cost = 0;                             // bytes charged to the table
  std::chrono::steady_clock::time_point expires{};  // set when kept
  std::vector<std::function<void()>> waiters;
};

}  // namespace yxgate::idempotency
