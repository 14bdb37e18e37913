#pragma once
// Identical in-flight requests share one call (SPEC §3.1.2, §3.1.4): the
// first runs it, the ones that arrive while it is in flight wait for its
// answer. The key says what "identical" means; for single GETs it holds the
// message's generation (ticket.hpp rule 3), so a lookup that arrives after a
// mutation returned starts its own call. Shared by all workers.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "coalesce/completion.hpp"

namespace yxgate::coalesce {

template <class Reply>
struct SharedReply {
  std::shared_ptr<const Reply> reply;
  bool leader = false;  // this request made the call
  bool shared = false;  // the call served more than one client request
};

template <class Reply>
class SingleFlight {
 public:
  using Call = std::function<boost::asio::awaitable<Reply>()>;

  // Throws what `call` threw (to every waiter), or operation_aborted when
  // this follower is cancelled while waiting.
  boost::asio::awaitable<SharedReply<Reply>> run(const std::string& key, Call call) {
    std::shared_ptr<Flight> flight;
    std::shared_ptr<Completion> follower;
    {
      std::lock_guard lock(mutex_);
      auto& slot = flights_[key];
      if (slot) {
        flight = slot;
        follower = std::make_shared<Completion>(co_await boost::asio::this_coro::executor);
        flight->followers.push_back(follower);
      } else {
        slot = flight = std::make_shared<Flight>();
      }
    }
    if (follower) {
      co_await follower->wait();
      std::lock_guard lock(mutex_);  // reply and error are set under it
      if (flight->error) std::rethrow_exception(flight->error);
      if (!flight->reply) throw boost::system::system_error(boost::asio::error::operation_aborted);
      co_return SharedReply<Reply>{flight->reply, false, true};
    }
    std::shared_ptr<const Reply> reply;
    std::exception_ptr error;
    try {
      reply = std::make_shared<const Reply>(co_await call());
    } catch (...) {
      error = std::current_exception();  // followers must not wait forever
    }
    std::size_t followers = 0;
    {
      std::lock_guard lock(mutex_);
      flights_.erase(key);
      flight->reply = reply;
      flight->error = error;
      followers = flight->followers.size();
      for (auto& f : flight->followers) f->notify();
    }
    if (error) std::rethrow_exception(error);
    co_return SharedReply<Reply>{std::move(reply), true, followers > 0};
  }

 private:
  struct Flight {
    std::vector<std::shared_ptr<Completion>> followers;
    std::shared_ptr<const Reply> reply;  // set before followers are woken
    std::exception_ptr error;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace yxgate::coalesce
