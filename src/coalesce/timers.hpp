#pragma once
// Where the coalescing core gets its time from: batches leave a window or a
// hold after their first request. Production uses Asio steady timers; tests
// pass a fake whose time they advance, so no test sleeps.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>

namespace yxgate::coalesce {

class Timers {
 public:
  virtual ~Timers() = default;
  // Runs `fire` on `executor` once `delay` has passed. Not cancellable: the
  // callee checks whether what it was for already happened.
  virtual void after(std::chrono::nanoseconds delay, const boost::asio::any_io_executor& executor,
                     std::function<void()> fire) = 0;
};

class AsioTimers final : public Timers {
 public:
  void after(std::chrono::nanoseconds delay, const boost::asio::any_io_executor& executor,
             std::function<void()> fire) override;
};

}  // namespace yxgate::coalesce
