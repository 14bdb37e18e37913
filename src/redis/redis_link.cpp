#include "redis/redis_link.hpp"

#include <hiredis/hiredis.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <charconv>
#include <cstring>

namespace yxgate::redis {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

// In pub/sub mode Redis pushes arrays whose first element names the kind.
bool is_push(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 1) return false;
  const redisReply& kind = *reply.element[0];
  if (kind.type != REDIS_REPLY_STRING) return false;
  const std::string_view k(kind.str, kind.len);
  return k == "message" || k == "pmessage" || k == "subscribe" || k == "psubscribe" ||
         k == "unsubscribe" || k == "punsubscribe" || k == "smessage" || k == "ssubscribe" ||
         k == "sunsubscribe";
}

// RESP, as redisFormatCommandArgv writes it ("*<argc>\r\n", then
// "$<length>\r\n<bytes>\r\n" per argument), appended straight to the
// buffer that is written next: hiredis formats each length with sprintf into
// a malloc'd copy, and every lookup batch, fill and heartbeat is a command.
void append_command(std::string& out, const std::vector<std::string>& args) {
  std::size_t size = 16;
  for (const auto& arg : args) size += arg.size() + 24;
  out.reserve(out.size() + size);
  const auto number = [&out](char kind, std::size_t n) {
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
    out.push_back(kind);
    out.append(digits.data(), end);
    out.append("\r\n");
  };
  number('*', args.size());
  for (const auto& arg : args) {
    number('$', arg.size());
    out.append(arg);
    out.append("\r\n");
  }
}

// OpenSSL's reason ("certificate verify failed") plus the verify result
// ("unable to get local issuer certificate", "hostname mismatch"), so the
// log says what is wrong with the certificate.
std::string tls_failure(const error_code& ec, SSL* ssl, const std::string& name) {
  std::string why = "TLS handshake: " + ec.message();
  if (ssl != nullptr) {
    const long result = SSL_get_verify_result(ssl);
    if (result != X509_V_OK) {
      why += std::string(" (") + X509_verify_cert_error_string(result) + "; name checked: " + name +
             ")";
    }
  }
  return why;
}

}  // namespace

std::shared_ptr<RedisLink> RedisLink::connect(const asio::any_io_executor& executor, Target target,
                                              Listener* listener) {
  auto link = std::make_shared<RedisLink>(executor, listener);
  link->start(std::move(target));
  return link;
}

RedisLink::RedisLink(const asio::any_io_executor& executor, Listener* listener)
    : executor_(executor), listener_(listener), reader_(redisReaderCreate()) {}

RedisLink::~RedisLink() {
  // Only reached with no operation pending (each holds a reference).
  listener_ = nullptr;
  fail("closed");
  if (reader_ != nullptr) redisReaderFree(reader_);
}

void RedisLink::start(Target target) {
  if (target.tls) {
    tls_ = std::make_unique<Tls>(executor_, *target.tls);
    SSL* ssl = tls_->native_handle();
    error_code ec;
    asio::ip::make_address(target.server_name, ec);
    // SNI carries names only (RFC 6066); an IP is verified against the
    // certificate's IP SANs by host_name_verification below.
    if (ec) SSL_set_tlsext_host_name(ssl, target.server_name.c_str());
    if (target.verify) {
      tls_->set_verify_mode(asio::ssl::verify_peer);
      tls_->set_verify_callback(asio::ssl::host_name_verification(target.server_name));
    } else {
      tls_->set_verify_mode(asio::ssl::verify_none);
    }
  } else {
    plain_.emplace(executor_);
  }
  auto self = shared_from_this();
  lowest().async_connect(target.endpoint, [self, name = target.server_name](error_code ec) {
    if (!self->open_) return;
    if (ec) return self->fail("connect: " + ec.message());
    error_code ignored;
    self->lowest().set_option(asio::ip::tcp::no_delay(true), ignored);
    // Notice a peer that vanished without a FIN (network partition) even on
    // the subscriber, which never sends anything to time out.
    self->lowest().set_option(asio::socket_base::keep_alive(true), ignored);
    if (!self->tls_) return self->on_established();
    self->tls_->async_handshake(asio::ssl::stream_base::client, [self, name](error_code hec) {
      if (!self->open_) return;
      if (hec) return self->fail(tls_failure(hec, self->tls_->native_handle(), name));
      self->on_established();
    });
  });
}

void RedisLink::on_established() {
  connected_ = true;
  read_more();
  write_more();  // anything queued meanwhile
  if (listener_ != nullptr && open_) listener_->on_link_connected(*this);
}

bool RedisLink::send(const std::vector<std::string>& args, std::uint64_t tag) {
  if (!open_ || args.empty()) return false;
  append_command(pending_, args);
  if (tag == kPushTag) {
    subscribed_ = true;
  } else {
    tags_.push_back(tag);
  }
  write_more();
  return true;
}

bool RedisLink::send_all(const std::vector<std::vector<std::string>>& commands,
                         std::uint64_t first_tag) {
  if (!open_) return false;
  for (const auto& args : commands) {
    if (args.empty()) return false;
  }
  for (const auto& args : commands) {
    append_command(pending_, args);
    tags_.push_back(first_tag++);
  }
  write_more();
  return true;
}

void RedisLink::write_more() {
  if (!connected() || writing_ || pending_.empty()) return;
  writing_ = true;
  in_flight_.swap(pending_);
  pending_.clear();
  auto self = shared_from_this();
  auto done = [self](error_code ec, std::size_t) {
    self->writing_ = false;
    self->in_flight_.clear();
    if (!self->open_) return;
    if (ec) return self->fail("write: " + ec.message());
    self->write_more();
  };
  if (tls_) {
    asio::async_write(*tls_, asio::buffer(in_flight_), std::move(done));
  } else {
    asio::async_write(*plain_, asio::buffer(in_flight_), std::move(done));
  }
}

void RedisLink::read_more() {
  read_buffer_.resize(kReadChunk);
  auto self = shared_from_this();
  auto done = [self](error_code ec, std::size_t n) {
    if (!self->open_) return;
    if (ec) {
      return self->fail(ec == asio::error::eof || ec == asio::ssl::error::stream_truncated
                            ? std::string("connection closed by server")
                            : "read: " + ec.message());
    }
    if (self->on_bytes(n)) self->read_more();
  };
  if (tls_) {
    tls_->async_read_some(asio::buffer(read_buffer_), std::move(done));
  } else {
    plain_->async_read_some(asio::buffer(read_buffer_), std::move(done));
  }
}

bool RedisLink::on_bytes(std::size_t n) {
  if (redisReaderFeed(reader_, read_buffer_.data(), n) != REDIS_OK) {
    fail("protocol error");
    return false;
  }
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
      fail(std::string("protocol error: ") + reader_->errstr);
      return false;
    }
    if (raw == nullptr) return open_;
    std::unique_ptr<redisReply, void (*)(void*)> reply(static_cast<redisReply*>(raw),
                                                       &freeReplyObject);
    std::uint64_t tag = kPushTag;
    // In pub/sub mode an error with no command waiting answers a
    // (S)SUBSCRIBE (MOVED, NOPERM, unknown command): the pushes' listener
    // decides what it means.
    const bool push_error = subscribed_ && tags_.empty() && reply->type == REDIS_REPLY_ERROR;
    if (!(subscribed_ && is_push(*reply)) && !push_error) {
      if (tags_.empty()) {
        // A reply nobody asked for: the stream is out of step.
        fail("unexpected reply");
        return false;
      }
      tag = tags_.front();
      tags_.pop_front();
    }
    if (listener_ != nullptr) listener_->on_link_reply(*this, tag, reply.get());
    if (!open_) return false;
  }
}

void RedisLink::fail(std::string_view why) {
  if (!open_) return;
  open_ = false;
  connected_ = false;
  why_ = why;
  // Closing the lowest layer aborts pending operations; a TLS close_notify
  // would wait on a peer that may be gone.
  error_code ignored;
  if (tls_) {
    tls_->next_layer().close(ignored);
  } else if (plain_) {
    plain_->close(ignored);
  }
  pending_.clear();
  auto owed = std::move(tags_);
  tags_.clear();
  const std::string reason = why_;
  for (const auto tag : owed) {
    if (listener_ != nullptr) listener_->on_link_reply(*this, tag, nullptr);
  }
  if (listener_ != nullptr) listener_->on_link_closed(*this, reason);
}

}  // namespace yxgate::redis
