#include "coalesce/timers.hpp"

#include <boost/asio/steady_timer.hpp>
#include <memory>

namespace yxgate::coalesce {

void AsioTimers::after(std::chrono::nanoseconds delay, const boost::asio::any_io_executor& executor,
                       std::function<void()> fire) {
  auto timer = std::make_shared<boost::asio::steady_timer>(
      executor, std::chrono::duration_cast<boost::asio::steady_timer::duration>(delay));
  // The handler owns the timer: it lives until it fires.
  timer->async_wait([timer, fire = std::move(fire)](const boost::system::error_code&) { fire(); });
}

}  // namespace yxgate::coalesce
