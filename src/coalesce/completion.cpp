#include "coalesce/completion.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace yxgate::coalesce {
namespace asio = boost::asio;

Completion::Completion(asio::any_io_executor executor)
    : timer_(std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max())),
      fired_(std::make_shared<std::atomic<bool>>(false)) {}

void Completion::notify() {
  if (fired_->exchange(true)) return;
  asio::post(timer_->get_executor(), [timer = timer_] { timer->cancel(); });
}

asio::awaitable<void> Completion::wait() {
  // fired_ may be set by another thread just after this check; its posted
  // cancel then runs on our executor after async_wait has started.
  if (fired_->load()) co_return;
  co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace yxgate::coalesce
