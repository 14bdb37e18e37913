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
  // Destroys every handler and coroutine frame still pending on any worker,
  // with every worker's context still alive: a pending frame may own a
  // timer or socket of another worker (a batch and its waiters), so no
  // context may be destroyed before all have dropped their pending work.
  // Call after run() returns and before the objects those frames refer to
  // (the gateway, caches, batchers) are destroyed. Idempotent.
  void shutdown();

 private:
  // io_context's two teardown phases, callable one at a time.
  class Context : public boost::asio::io_context {
   public:
    explicit Context(int concurrency_hint) : io_context(concurrency_hint) {}
    void shutdown_services() { shutdown(); }
  };
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<std::thread> threads_;
  std::size_t next_ = 0;
};

}  // namespace yxgate::server
