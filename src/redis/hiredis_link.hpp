#pragma once
// Internal to src/redis: one hiredis async context (one TCP connection)
// driven by an Asio executor, following the toolchain notes' recipe
// ("hiredis 0.14 async on Asio"). Only redis_session.cpp includes this.
//
// hiredis calls the ev hooks with one-shot semantics (it re-adds read after
// every read and write until its buffer is flushed); each hook arms at most
// one async_wait per direction on a stream_descriptor wrapping the socket.
// The cleanup hook releases the descriptor because hiredis closes the fd
// itself. Every pending wait holds a shared_ptr to the link, so the link
// outlives them even after its owner let go.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisAsyncContext;
struct redisReply;

namespace yxgate::redis {

class HiredisLink : public std::enable_shared_from_this<HiredisLink> {
 public:
  // Told about the link's life. Calls come from inside hiredis: a listener
  // records and wakes, it never calls back into hiredis (send, close).
  class Listener {
   public:
    virtual void on_link_connected(HiredisLink& link) = 0;
    // The context is gone (connect failure, I/O error, EOF, or close()).
    virtual void on_link_closed(HiredisLink& link, std::string_view why) = 0;
    // `reply` is null when the link closed before the reply came. `tag` is
    // what send() was given.
    virtual void on_link_reply(HiredisLink& link, std::uint64_t tag, const redisReply* reply) = 0;

   protected:
    ~Listener() = default;
  };

  // Starts a non-blocking connect to a numeric IPv4/IPv6 address. Returns
  // null (and why) when hiredis fails at once.
  static std::shared_ptr<HiredisLink> connect(const boost::asio::any_io_executor& executor,
                                              const std::string& ip, std::uint16_t port,
                                              Listener* listener, std::string& error);

  // Use connect().
  HiredisLink(const boost::asio::any_io_executor& executor, Listener* listener);
  ~HiredisLink();
  HiredisLink(const HiredisLink&) = delete;
  HiredisLink& operator=(const HiredisLink&) = delete;

  bool open() const { return ac_ != nullptr; }
  bool connected() const { return ac_ != nullptr && connected_; }

  // Queues a binary-safe command; the reply comes to on_link_reply(tag).
  // False if the link is closed or closing (nothing queued, no callback).
  bool send(const std::vector<std::string>& args, std::uint64_t tag);

  // Frees the context: pending replies come back null, then on_link_closed.
  void close();
  // No more listener calls (the owner is going away).
  void detach() { listener_ = nullptr; }

 private:
  enum Direction { kRead = 0, kWrite = 1 };
  bool attach(redisAsyncContext* ac, std::string& error);
  void arm(Direction d);
  void on_ready(Direction d, const boost::system::error_code& ec);

  static void hook_add_read(void* self);
  static void hook_del_read(void* self);
  static void hook_add_write(void* self);
  static void hook_del_write(void* self);
  static void hook_cleanup(void* self);
  static void on_connect(const redisAsyncContext* ac, int status);
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);

  boost::asio::posix::stream_descriptor descriptor_;
  Listener* listener_;
  redisAsyncContext* ac_ = nullptr;  // null once hiredis freed it
  bool connected_ = false;
  bool want_[2] = {false, false};     // hiredis asked for this direction
  bool pending_[2] = {false, false};  // an async_wait is outstanding
};

}  // namespace yxgate::redis
