#include "server/worker_pool.hpp"

#include <boost/asio/executor_work_guard.hpp>

namespace yxgate::server {

WorkerPool::WorkerPool(std::size_t threads) {
  if (threads == 0) threads = 1;
  for (std::size_t i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is driven by exactly one thread.
    contexts_.push_back(std::make_unique<Context>(1));
  }
}

WorkerPool::~WorkerPool() {
  stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  shutdown();
}

void WorkerPool::shutdown() {
  // Asio's services shut down idempotently; each context's destructor does
  // it again, harmlessly.
  for (auto& ctx : contexts_) ctx->shutdown_services();
}

std::size_t WorkerPool::next_index() {
  const auto index = next_;
  next_ = (next_ + 1) % contexts_.size();
  return index;
}

void WorkerPool::run() {
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards;
  for (auto& ctx : contexts_) guards.push_back(boost::asio::make_work_guard(*ctx));
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    threads_.emplace_back([ctx = contexts_[i].get()] { ctx->run(); });
  }
  contexts_[0]->run();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void WorkerPool::stop() {
  for (auto& ctx : contexts_) ctx->stop();
}

}  // namespace yxgate::server
