#pragma once
// Threading model (see src/README.md): one io_context per worker thread.
// A connection lives on one worker for its whole life, so per-connection and
// per-worker state (sessions, upstream pools) needs no locks.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace yxgate::server {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t index) { return *contexts_[index]; }
  // Round-robin choice for a newly accepted connection.
  std::size_t next_index();

  // Runs workers 1..n-1 on threads and worker 0 on the calling thread;
  // returns when every context has stopped.
  void run();
  void stop();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<std::thread> threads_;
  std::size_t next_ = 0;
};

}  // namespace yxgate::server
