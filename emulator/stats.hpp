#pragma once
// What the emulator has been asked, for tests to assert on (GET /_emulator/stats
// and /_emulator/requests). One mutex; held only to copy counters.
#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "request.hpp"
#include "target.hpp"

namespace yxgate::emulator {

inline constexpr std::size_t kRequestLogSize = 256;
// Ids kept per route; counts stay exact beyond it (keeps load runs bounded).
inline constexpr std::size_t kMaxIdsPerRoute = 100000;

class Stats {
 public:
  // Every request outside /_emulator/ (counted in "total", kept in the log).
  void record_request(const Request& request);
  void record_auth_error();
  void record_connection();
  // A keep-alive connection closed by the idle timeout (a stale one for a pool).
  void record_idle_close();
  // A signed API call of `route`; `ids` are the message ids it asks for.
  void record_call(Route route, const std::vector<std::uint64_t>& ids);

  std::string stats_json() const;
  std::string requests_json() const;
  void reset();

 private:
  static constexpr auto kRoutes = static_cast<std::size_t>(Route::kCount);

  mutable std::mutex mutex_;
  std::uint64_t total_ = 0;
  std::uint64_t connections_ = 0;
  std::uint64_t idle_closed_ = 0;
  std::uint64_t auth_errors_ = 0;
  std::array<std::uint64_t, kRoutes> calls_{};
  std::array<std::vector<std::uint64_t>, kRoutes> ids_{};
  bool ids_truncated_ = false;
  std::vector<std::size_t> batch_sizes_;  // items per batch_messages call, in order
  std::deque<Request> log_;
};

}  // namespace yxgate::emulator
