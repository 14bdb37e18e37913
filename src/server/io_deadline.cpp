#include "server/io_deadline.hpp"

#include <boost/system/error_code.hpp>

namespace yxgate::server {

IoDeadline::IoDeadline(boost::asio::ip::tcp::socket& socket)
    : state_(std::make_shared<State>(socket)) {}

IoDeadline::~IoDeadline() {
  state_->socket = nullptr;  // a handler already queued must not touch it
  state_->timer.cancel();
}

void IoDeadline::arm(const std::shared_ptr<State>& state) {
  state->armed = true;
  state->timer_at = state->deadline;
  state->timer.expires_at(state->deadline);  // a wait already pending completes, aborted
  state->timer.async_wait(
      [state, generation = ++state->generation](const boost::system::error_code& ec) {
        if (ec || generation != state->generation || !state->socket) return;
        state->armed = false;
        if (state->deadline == Clock::time_point::max()) return;  // the next move arms it
        if (Clock::now() < state->deadline) {
          arm(state);  // moved since it was armed
          return;
        }
        state->expired = true;
        boost::system::error_code ignored;
        state->socket->cancel(ignored);
      });
}

RequestDeadline::RequestDeadline(boost::asio::ip::tcp::socket& socket)
    : state_(std::make_shared<State>(socket.get_executor(), &socket)) {}

RequestDeadline::~RequestDeadline() {
  state_->socket = nullptr;  // a handler already queued must not touch it
  state_->timer.cancel();
}

void RequestDeadline::arm(std::chrono::milliseconds timeout) {
  if (state_->armed) return;
  state_->armed = true;
  state_->expired = false;
  state_->timer.expires_after(timeout);
  state_->timer.async_wait(
      [state = state_, generation = ++state_->generation](const boost::system::error_code& ec) {
        if (ec || generation != state->generation || !state->socket) return;
        state->expired = true;
        boost::system::error_code ignored;
        state->socket->cancel(ignored);
      });
}

bool RequestDeadline::disarm() {
  if (!state_->armed) return false;
  state_->armed = false;
  ++state_->generation;
  state_->timer.cancel();
  return state_->expired;
}

}  // namespace yxgate::server
