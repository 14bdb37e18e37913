#pragma once
// Internal to src/redis: one Redis connection (TCP, or TLS over TCP) whose
// socket I/O runs on Asio; hiredis only parses RESP (redisReader); commands
// are formatted here (as redisFormatCommandArgv would). Only
// redis_session.cpp includes this. Why not hiredis' own async context: see
// README.md ("Transport").
//
// Replies come back in the order commands were sent, so the link keeps a
// FIFO of tags. Pub/sub messages are the exception: once a command with
// kPushTag (SUBSCRIBE) went out, replies shaped like ["message", ...] or
// ["subscribe", ...] are pushes and take no tag.
//
// Every pending async operation holds a shared_ptr to the link, so the link
// outlives them even after its owner let go.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;
struct redisReply;

namespace yxgate::redis {

class RedisLink : public std::enable_shared_from_this<RedisLink> {
 public:
  // Commands sent with this tag expect no reply of their own (SUBSCRIBE):
  // what they cause arrives as pushes.
  static constexpr std::uint64_t kPushTag = 0;

  // Told about the link's life. A listener records and wakes; it never
  // calls close() from inside a callback.
  class Listener {
   public:
    // TCP connected and, with TLS, the handshake (and verification) done.
    virtual void on_link_connected(RedisLink& link) = 0;
    // The connection is gone (connect/TLS failure, I/O error, EOF, close()).
    virtual void on_link_closed(RedisLink& link, std::string_view why) = 0;
    // `reply` is null when the link closed before the reply came.
    virtual void on_link_reply(RedisLink& link, std::uint64_t tag, const redisReply* reply) = 0;

   protected:
    ~Listener() = default;
  };

  struct Target {
    boost::asio::ip::tcp::endpoint endpoint;
    // Non-null: TLS. `server_name` is sent as SNI (unless it is an IP
    // address) and verified when the context verifies peers.
    std::shared_ptr<boost::asio::ssl::context> tls;
    std::string server_name;
    bool verify = true;
  };

  // Starts connecting; the outcome comes to the listener.
  static std::shared_ptr<RedisLink> connect(const boost::asio::any_io_executor& executor,
                                            Target target, Listener* listener);

  // Use connect().
  RedisLink(const boost::asio::any_io_executor& executor, Listener* listener);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  bool open() const { return open_; }
  bool connected() const { return open_ && connected_; }
  // Why it closed (empty while open).
  const std::string& why() const { return why_; }

  // Queues a binary-safe command; its reply comes to on_link_reply(tag).
  // False if the link is closed (nothing queued, no callback). Commands
  // queued before the connection is up are written once it is.
  bool send(const std::vector<std::string>& args, std::uint64_t tag);
  // Several commands in one write (a pipeline): tags first_tag, first_tag+1, ...
  // in order. False if the link is closed (nothing queued, no callback).
  bool send_all(const std::vector<std::vector<std::string>>& commands, std::uint64_t first_tag);

  // Closes the socket: pending replies come back null, then on_link_closed.
  void close() { fail("closed"); }
  // No more listener calls (the owner is going away).
  void detach() { listener_ = nullptr; }

 private:
  using Tls = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  boost::asio::ip::tcp::socket& lowest() { return tls_ ? tls_->next_layer() : *plain_; }
  void start(Target target);
  void on_established();
  void write_more();
  void read_more();
  bool on_bytes(std::size_t n);
  void fail(std::string_view why);

  boost::asio::any_io_executor executor_;
  Listener* listener_;
  std::optional<boost::asio::ip::tcp::socket> plain_;
  std::unique_ptr<Tls> tls_;
  redisReader* reader_;
  bool open_ = true;
  std::string why_;
  bool connected_ = false;
  bool writing_ = false;
  bool subscribed_ = false;         // a kPushTag command went out: pushes may come
  std::string pending_;             // formatted commands not yet handed to a write
  std::string in_flight_;           // the buffer of the write in progress
  std::deque<std::uint64_t> tags_;  // replies owed, oldest first
  std::vector<char> read_buffer_;
};

}  // namespace yxgate::redis
