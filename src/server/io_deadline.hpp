#pragma once
// Deadlines of one connection's socket: a client's (SPEC §11.1, §7's idle
// and request timeouts) or an upstream one's (upstream.timeout). Both cancel the socket's pending
// operation when they run out, so the session sees an error and can still answer or close.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

namespace yxgate::server {

// The idle and write deadline, moved on every request. Moving it is a store
// of a clock reading: the one timer is armed for the earliest instant the
// deadline could fall and, when it fires before the current deadline, arms
// itself again for it (nginx's lazy timers). beast::tcp_stream instead armed
// and cancelled a timer around every read and every write (a timer-queue
// insert and removal and a cancelled handler's run, per operation).
class IoDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit IoDeadline(boost::asio::ip::tcp::socket& socket);
  ~IoDeadline();
  IoDeadline(const IoDeadline&) = delete;
  IoDeadline& operator=(const IoDeadline&) = delete;

  // The pending and later operations must finish within `timeout` from now.
  void expires_after(std::chrono::milliseconds timeout) { expires_at(Clock::now() + timeout); }
  void expires_at(Clock::time_point deadline) {
    State& s = *state_;
    s.expired = false;
    s.deadline = deadline;
    if (!s.armed || s.deadline < s.timer_at) arm(state_);
  }
  void expires_never() { state_->deadline = Clock::time_point::max(); }
  // True when the deadline ran out and cancelled the socket's operations.
  bool expired() const { return state_->expired; }

 private:
  struct State {
    explicit State(boost::asio::ip::tcp::socket& s) : timer(s.get_executor()), socket(&s) {}
    boost::asio::steady_timer timer;
    boost::asio::ip::tcp::socket* socket;
    Clock::time_point deadline = Clock::time_point::max();
    Clock::time_point timer_at{};
    std::uint64_t generation = 0;  // of the wait that counts; others were replaced
    bool armed = false;
    bool expired = false;
  };
  static void arm(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;
};

// The request_timeout while a request is read (SPEC §11.1: 408, then
// close). Armed only when a request did not arrive whole with its first
// bytes (never on the usual hot path).
class RequestDeadline {
 public:
  explicit RequestDeadline(boost::asio::ip::tcp::socket& socket);
  ~RequestDeadline();
  RequestDeadline(const RequestDeadline&) = delete;
  RequestDeadline& operator=(const RequestDeadline&) = delete;

  // Starts the clock unless it already runs for this request.
  void arm(std::chrono::milliseconds timeout);
  // Stops the clock; true when it had run out.
  bool disarm();

 private:
  struct State {
    State(const boost::asio::any_io_executor& executor, boost::asio::ip::tcp::socket* s)
        : timer(executor), socket(s) {}
    boost::asio::steady_timer timer;
    boost::asio::ip::tcp::socket* socket;
    std::uint64_t generation = 0;
    bool armed = false;
    bool expired = false;
  };
  std::shared_ptr<State> state_;
};

}  // namespace yxgate::server
