#include "redis/hiredis_link.hpp"

#include <hiredis/async.h>

#include <boost/asio/error.hpp>
#include <cstring>

namespace yxgate::redis {

std::shared_ptr<HiredisLink> HiredisLink::connect(const boost::asio::any_io_executor& executor,
                                                  const std::string& ip, std::uint16_t port,
                                                  Listener* listener, std::string& error) {
  redisAsyncContext* ac = redisAsyncConnect(ip.c_str(), port);
  if (ac == nullptr) {
    error = "out of memory";
    return nullptr;
  }
  if (ac->err != 0) {
    error = ac->errstr;
    // Not attached yet: no hooks, no callbacks, hiredis closes the fd.
    redisAsyncFree(ac);
    return nullptr;
  }
  auto link = std::make_shared<HiredisLink>(executor, listener);
  if (!link->attach(ac, error)) {
    redisAsyncFree(ac);  // hooks not set: the link is not involved
    return nullptr;
  }
  return link;
}

HiredisLink::HiredisLink(const boost::asio::any_io_executor& executor, Listener* listener)
    : descriptor_(executor), listener_(listener) {}

HiredisLink::~HiredisLink() {
  // Only reached with no wait pending (each holds a reference). Runs the
  // remaining callbacks with null replies; nobody listens any more.
  listener_ = nullptr;
  close();
}

bool HiredisLink::attach(redisAsyncContext* ac, std::string& error) {
  // hiredis owns and closes the fd; the descriptor only borrows it.
  boost::system::error_code ec;
  descriptor_.assign(ac->c.fd, ec);
  if (ec) {
    error = ec.message();
    return false;
  }
  ac_ = ac;
  ac->data = this;
  // Notice a peer that vanished without a FIN (network partition) even on
  // the subscriber, which never sends anything to time out.
  redisEnableKeepAlive(&ac->c);
  ac->ev.data = this;
  ac->ev.addRead = &hook_add_read;
  ac->ev.delRead = &hook_del_read;
  ac->ev.addWrite = &hook_add_write;
  ac->ev.delWrite = &hook_del_write;
  ac->ev.cleanup = &hook_cleanup;
  // After the hooks: setting the connect callback arms the first write wait.
  redisAsyncSetConnectCallback(ac, &on_connect);
  return true;
}

bool HiredisLink::send(const std::vector<std::string>& args, std::uint64_t tag) {
  if (ac_ == nullptr || args.empty()) return false;
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  // The tag travels as privdata: the callback looks it up instead of
  // dereferencing a pointer that a timed-out waiter may have left behind.
  void* privdata = reinterpret_cast<void*>(static_cast<std::uintptr_t>(tag));
  return redisAsyncCommandArgv(ac_, &on_reply, privdata, static_cast<int>(args.size()), argv.data(),
                               lengths.data()) == REDIS_OK;
}

void HiredisLink::close() {
  if (ac_ == nullptr) return;
  // Runs pending callbacks (null replies), then hook_cleanup clears ac_.
  redisAsyncFree(ac_);
}

void HiredisLink::arm(Direction d) {
  want_[d] = true;
  if (pending_[d] || ac_ == nullptr) return;
  auto self = weak_from_this().lock();
  if (!self) return;  // being destroyed
  pending_[d] = true;
  const auto wait_type = d == kRead ? boost::asio::posix::stream_descriptor::wait_read
                                    : boost::asio::posix::stream_descriptor::wait_write;
  descriptor_.async_wait(wait_type, [self = std::move(self), d](boost::system::error_code ec) {
    self->on_ready(d, ec);
  });
}

void HiredisLink::on_ready(Direction d, const boost::system::error_code& ec) {
  pending_[d] = false;
  // Aborted: the cleanup hook released the descriptor; the context is gone.
  if (ac_ == nullptr || ec == boost::asio::error::operation_aborted) return;
  if (!want_[d]) return;  // hiredis withdrew interest meanwhile
  // One-shot, as hiredis expects: it re-adds what it still wants.
  want_[d] = false;
  if (d == kRead) {
    redisAsyncHandleRead(ac_);
  } else {
    redisAsyncHandleWrite(ac_);
  }
}

void HiredisLink::hook_add_read(void* self) { static_cast<HiredisLink*>(self)->arm(kRead); }
void HiredisLink::hook_del_read(void* self) {
  static_cast<HiredisLink*>(self)->want_[kRead] = false;
}
void HiredisLink::hook_add_write(void* self) { static_cast<HiredisLink*>(self)->arm(kWrite); }
void HiredisLink::hook_del_write(void* self) {
  static_cast<HiredisLink*>(self)->want_[kWrite] = false;
}

void HiredisLink::hook_cleanup(void* self_ptr) {
  auto* self = static_cast<HiredisLink*>(self_ptr);
  redisAsyncContext* ac = self->ac_;
  // hiredis closes the fd right after this hook: give it back without
  // closing it; outstanding waits complete with operation_aborted.
  self->descriptor_.release();
  self->ac_ = nullptr;
  self->want_[kRead] = self->want_[kWrite] = false;
  if (self->listener_ != nullptr) {
    const char* why = (ac != nullptr && ac->err != 0) ? ac->errstr : "closed";
    self->listener_->on_link_closed(*self, why);
  }
}

void HiredisLink::on_connect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<HiredisLink*>(ac->data);
  // On failure hiredis frees the context next and hook_cleanup reports it.
  if (status != REDIS_OK) return;
  self->connected_ = true;
  if (self->listener_ != nullptr) self->listener_->on_link_connected(*self);
}

void HiredisLink::on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* self = static_cast<HiredisLink*>(ac->data);
  if (self->listener_ == nullptr) return;
  const auto tag = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(privdata));
  self->listener_->on_link_reply(*self, tag, static_cast<const redisReply*>(reply));
}

}  // namespace yxgate::redis
