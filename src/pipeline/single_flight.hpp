#pragma once
// Identical in-flight requests share one upstream call (SPEC §3.1.2, §3.1.4):
// the first runs it, the ones that arrive while it is in flight wait for its
// answer. Keyed by app and request target. Shared by all workers.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "pipeline/upstream_caller.hpp"

namespace yxgate::pipeline {

struct SharedReply {
  std::shared_ptr<const UpstreamReply> reply;
  bool leader = false;  // this request made the call
  bool shared = false;  // the call served more than one client request
};

class SingleFlight {
 public:
  using Call = std::function<boost::asio::awaitable<UpstreamReply>()>;

  boost::asio::awaitable<SharedReply> run(const std::string& key, Call call);

 private:
  struct Flight;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace yxgate::pipeline
