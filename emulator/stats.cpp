#include "stats.hpp"

#include <algorithm>
#include <cctype>

#include "json_text.hpp"

namespace yxgate::emulator {
namespace {

template <class Numbers>
void append_array(std::string& out, const Numbers& numbers) {
  out += '[';
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(numbers[i]);
  }
  out += ']';
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

void Stats::record_request(const Request& request) {
  std::lock_guard lock(mutex_);
  ++total_;
  log_.push_back(request);
  if (log_.size() > kRequestLogSize) log_.pop_front();
}

void Stats::record_auth_error() {
  std::lock_guard lock(mutex_);
  ++auth_errors_;
}

void Stats::record_call(Route route, const std::vector<std::uint64_t>& ids) {
  const auto index = static_cast<std::size_t>(route);
  std::lock_guard lock(mutex_);
  ++calls_[index];
  for (const auto id : ids) {
    if (ids_[index].size() < kMaxIdsPerRoute) {
      ids_[index].push_back(id);
    } else {
      ids_truncated_ = true;
    }
  }
  if (route == Route::kBatchMessages && batch_sizes_.size() < kMaxIdsPerRoute) {
    batch_sizes_.push_back(ids.size());
  }
}

std::string Stats::stats_json() const {
  std::lock_guard lock(mutex_);
  std::string out = "{\"total\":" + std::to_string(total_) +
                    ",\"connections\":" + std::to_string(connections_) +
                    ",\"idle_closed\":" + std::to_string(idle_closed_) + ",\"calls\":{";
  for (std::size_t i = 0; i < kRoutes; ++i) {
    out += '"';
    out += kRouteNames[i];
    out += "\":" + std::to_string(calls_[i]) + ',';
  }
  out += "\"auth_error\":" + std::to_string(auth_errors_) + "},\"ids\":{";
  for (std::size_t i = 0; i < kRoutes; ++i) {
    if (i) out += ',';
    out += '"';
    out += kRouteNames[i];
    out += "\":";
    append_array(out, ids_[i]);
  }
  out += "},\"ids_truncated\":";
  out += ids_truncated_ ? "true" : "false";
  out += ",\"batch_sizes\":";
  append_array(out, batch_sizes_);
  out += '}';
  return out;
}

std::string Stats::requests_json() const {
  std::lock_guard lock(mutex_);
  std::string out = "[";
  bool first_request = true;
  for (const auto& request : log_) {
    if (!first_request) out += ',';
    first_request = false;
    out += "{\"method\":";
    append_json_string(out, request.method);
    out += ",\"target\":";
    append_json_string(out, request.target);
    // Lowercased names so tests can use JSON pointers like /0/headers/appkey
    // (a repeated header appears twice; a pointer finds the first).
    out += ",\"headers\":{";
    bool first_header = true;
    for (const auto& [name, value] : request.headers) {
      if (!first_header) out += ',';
      first_header = false;
      append_json_string(out, lower(name));
      out += ':';
      append_json_string(out, value);
    }
    out += "},\"body\":";
    append_json_string(out, request.body);
    out += '}';
  }
  out += ']';
  return out;
}

void Stats::reset() {
  std::lock_guard lock(mutex_);
  total_ = 0;
  connections_ = 0;
  idle_closed_ = 0;
  auth_errors_ = 0;
  calls_ = {};
  for (auto& ids : ids_) ids.clear();
  ids_truncated_ = false;
  batch_sizes_.clear();
  log_.clear();
}

void Stats::record_connection() {
  std::lock_guard lock(mutex_);
  ++connections_;
}

void Stats::record_idle_close() {
  std::lock_guard lock(mutex_);
  ++idle_closed_;
}

}  // namespace yxgate::emulator
