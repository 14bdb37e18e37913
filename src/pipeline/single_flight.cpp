#include "pipeline/single_flight.hpp"

#include <vector>

#include "pipeline/completion.hpp"

namespace yxgate::pipeline {
namespace asio = boost::asio;

struct SingleFlight::Flight {
  std::vector<std::shared_ptr<Completion>> followers;
  std::shared_ptr<const UpstreamReply> reply;  // set before followers are woken
};

asio::awaitable<SharedReply> SingleFlight::run(const std::string& key, Call call) {
  std::shared_ptr<Flight> flight;
  std::shared_ptr<Completion> follower;
  {
    std::lock_guard lock(mutex_);
    auto& slot = flights_[key];
    if (slot) {
      flight = slot;
      follower = std::make_shared<Completion>(co_await asio::this_coro::executor);
      flight->followers.push_back(follower);
    } else {
      slot = flight = std::make_shared<Flight>();
    }
  }
  if (follower) {
    co_await follower->wait();
    co_return SharedReply{flight->reply, false, true};
  }
  auto reply = std::make_shared<const UpstreamReply>(co_await call());
  std::size_t followers = 0;
  {
    std::lock_guard lock(mutex_);
    flights_.erase(key);
    flight->reply = reply;
    followers = flight->followers.size();
    for (auto& f : flight->followers) f->notify();
  }
  co_return SharedReply{std::move(reply), true, followers > 0};
}

}  // namespace yxgate::pipeline
