#include "idempotency/replay_record.hpp"

#include <openssl/sha.h>

#include <array>
#include <charconv>

namespace yxgate::idempotency {
namespace {

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const auto byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  return hex;
}

// Reads up to the next '\n' from `text` (consumed); nullopt without one.
std::optional<std::string_view> next_line(std::string_view& text) {
  const auto end = text.find('\n');
  if (end == std::string_view::npos) return std::nullopt;
  const auto line = text.substr(0, end);
  text.remove_prefix(end + 1);
  return line;
}

std::optional<long long> to_number(std::string_view text) {
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

bool is_write(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::string replay_key(std::string_view app_key, std::string_view method, std::string_view target,
                       std::string_view body, std::string_view trace_id) {
  // Each field is length-prefixed so no two requests share a preimage.
  const auto body_digest = sha256_hex(body);
  std::string preimage;
  for (const std::string_view field :
       {app_key, method, target, std::string_view(body_digest), trace_id}) {
    preimage += std::to_string(field.size());
    preimage += ':';
    preimage += field;
  }
  return "idem:" + sha256_hex(preimage);
}

std::string encode(const StoredAnswer& answer) {
  std::string text =
      "A1\n" + std::to_string(answer.status) + "\n" + std::to_string(answer.headers.size()) + "\n";
  for (const auto& [name, value] : answer.headers) {
    text += name;
    text += '\n';
    text += value;
    text += '\n';
  }
  text += answer.body;
  return text;
}

std::optional<StoredAnswer> decode(std::string_view text) {
  if (next_line(text) != std::optional<std::string_view>("A1")) return std::nullopt;
  StoredAnswer answer;
  const auto status = next_line(text);
  const auto count = next_line(text);
  if (!status || !count) return std::nullopt;
  const auto status_value = to_number(*status);
  const auto count_value = to_number(*count);
  if (!status_value || *status_value < 100 || *status_value > 999 || !count_value) {
    return std::nullopt;
  }
  answer.status = static_cast<int>(*status_value);
  for (long long i = 0; i < *count_value; ++i) {
    const auto name = next_line(text);
    const auto value = next_line(text);
    if (!name || !value) return std::nullopt;
    answer.headers.emplace_back(*name, *value);
  }
  answer.body = text;
  return answer;
}

namespace {

std::size_t answer_bytes(const StoredAnswer& answer) {
  std::size_t bytes = answer.body.size();
  for (const auto& [name, value] : answer.headers) bytes += name.size() + value.size() + 2;
  return bytes;
}

}  // namespace

ReplayTable::Claim ReplayTable::claim(const std::string& key,
                                      std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  sweep(now);
  if (const auto it = records_.find(key); it != records_.end()) {
    const auto& slot = it->second;
    if (!slot->finished || slot->expires > now) return {slot, false};
    forget(slot);  // expired but not swept yet
  }
  const auto cost = key.size() + kRecordOverhead;
  if (!make_room(1, cost)) {
    ++unprotected_;
    return {nullptr, true, false};
  }
  auto record = std::make_shared<Record>();
  record->key = key;
  record->cost = cost;
  bytes_ += cost;
  records_.emplace(key, record);
  return {record, true};
}

bool ReplayTable::on_finished(const std::shared_ptr<Record>& record, std::function<void()> notify) {
  std::lock_guard lock(mutex_);
  if (record->finished) return false;
  record->waiters.push_back(std::move(notify));
  return true;
}

std::optional<StoredAnswer> ReplayTable::answer(const std::shared_ptr<Record>& record) const {
  std::lock_guard lock(mutex_);
  if (!record->finished) return std::nullopt;
  return record->answer;
}

void ReplayTable::finish(const std::shared_ptr<Record>& record, StoredAnswer answer, bool keep,
                         std::chrono::steady_clock::time_point now) {
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard lock(mutex_);
    record->finished = true;
    record->answer = std::move(answer);
    record->expires = keep ? now + window_ : now;
    waiters.swap(record->waiters);
    if (record->in_table) {
      if (!keep) {
        forget(record);
      } else {
        // The answer's bytes are charged now; older completed records make
        // room, and an answer that alone exceeds the bound is not kept.
        const auto extra = answer_bytes(record->answer);
        const bool room = record->cost + extra <= bounds_.max_bytes && make_room(0, extra);
        if (room) {
          record->cost += extra;
          bytes_ += extra;
          completed_.push_back(record);
        } else {
          ++evicted_;
          ++unprotected_;
          forget(record);
        }
      }
    }
  }
  for (auto& notify : waiters) notify();
}

std::size_t ReplayTable::size() const {
  std::lock_guard lock(mutex_);
  return records_.size();
}

std::size_t ReplayTable::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t ReplayTable::unprotected() const {
  std::lock_guard lock(mutex_);
  return unprotected_;
}

std::size_t ReplayTable::evicted() const {
  std::lock_guard lock(mutex_);
  return evicted_;
}

void ReplayTable::forget(const std::shared_ptr<Record>& record) {
  if (!record->in_table) return;
  record->in_table = false;
  bytes_ -= record->cost;
  const auto it = records_.find(record->key);
  if (it != records_.end() && it->second == record) records_.erase(it);
}

bool ReplayTable::make_room(std::size_t records, std::size_t bytes) {
  const auto fits = [&] {
    return records_.size() + records <= bounds_.max_records && bytes_ + bytes <= bounds_.max_bytes;
  };
  // Oldest completed first; in-flight records are not in completed_.
  while (!fits() && !completed_.empty()) {
    auto oldest = std::move(completed_.front());
    completed_.pop_front();
    if (!oldest->in_table) continue;
    ++evicted_;
    forget(oldest);
  }
  return fits();
}

void ReplayTable::sweep(std::chrono::steady_clock::time_point now) {
  // At most once a second: the table holds one window of writes at most.
  if (now < next_sweep_) return;
  next_sweep_ = now + std::chrono::seconds(1);
  while (!completed_.empty() &&
         (!completed_.front()->in_table || completed_.front()->expires <= now)) {
    forget(completed_.front());
    completed_.pop_front();
  }
}

}  // namespace yxgate::idempotency
