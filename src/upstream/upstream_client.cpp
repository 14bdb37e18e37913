#include "upstream/upstream_client.hpp"

#include <poll.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <deque>
#include <optional>
#include <vector>

#include "server/io_deadline.hpp"
#include "upstream/read_reply.hpp"
#include "upstream/reply_parser.hpp"

namespace yxgate::upstream {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using asio::awaitable;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// Idle connections older than this are dropped rather than reused: load
// balancers in front of the vendor commonly close idle keep-alives at 60 s.
constexpr auto kMaxIdle = std::chrono::seconds(30);
// After the primary fails to connect, go straight to the backup for a while
// instead of paying connect_timeout on every request.
constexpr auto kPrimaryHoldDown = std::chrono::seconds(5);
constexpr std::uint64_t kMaxResponseBytes = 64ull * 1024 * 1024;
// Interim (1xx) replies skipped before an answer; more is a broken upstream.
constexpr int kMaxInterimReplies = 8;

using TlsStream = ssl::stream<beast::tcp_stream>;

// What a reply may leave in the read buffer at once: the header (Beast's
// 8 KiB limit), a chunk's size line with its extensions, or the trailer
// section, which Beast holds whole and no limit counts. Body bytes only
// pass through. Past it the read fails (buffer_overflow): a malformed reply.
constexpr std::size_t kMaxBufferedReplyBytes = 256 * 1024;

struct Connection {
  std::optional<beast::tcp_stream> plain;
  std::unique_ptr<TlsStream> tls;
  beast::flat_buffer buffer{kMaxBufferedReplyBytes};
  std::string head;  // each request's head, written here: its buffer is kept
  Clock::time_point idle_since;
  // Each call's upstream.timeout, once connected (connect and the TLS
  // handshake use the stream's own): moving it per call is a store, where
  // tcp_stream's expiry armed and cancelled a timer around every read and
  // write. Declared last: destroyed before the socket it cancels.
  std::optional<server::IoDeadline> deadline;

  beast::tcp_stream& lowest() { return tls ? tls->next_layer() : *plain; }

  // A pooled connection the peer has closed (or that holds unexpected bytes)
  // reads as ready; reusing it would fail a request we may not resend.
  // `probe` false skips that check (a syscall per call, issue 18): for a
  // read, retried on a fresh connection if this one turns out dead before
  // any byte of its answer (UpstreamClient::send's may_retry).
  bool looks_reusable(Clock::time_point now, bool probe) {
    if (now - idle_since > kMaxIdle || buffer.size() != 0) return false;
    if (!probe) return true;
    pollfd pfd{lowest().socket().native_handle(), POLLIN, 0};
    return ::poll(&pfd, 1, 0) == 0;
  }

  void close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
  }
};

// Safe methods (RFC 9110 §9.2.1) only: PUT and DELETE are idempotent by the
// RFC, but a recall that ran twice answers the second time "message not
// exist" for a delete that worked, and SPEC §11.4 lets a write reach
// upstream at most once (audit 15).
bool is_safe(http::verb method) {
  switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::trace:
      return true;
    default:
      return false;
  }
}

bool is_timeout(const beast::error_code& ec) { return ec == beast::error::timeout; }

template <class Op>
auto on_stream(Connection& c, Op&& op) {
  return c.tls ? op(*c.tls) : op(*c.plain);
}

}  // namespace

class UpstreamClient::Pool {
 public:
  explicit Pool(config::UpstreamUrl url) : url_(std::move(url)) {}
  const config::UpstreamUrl& url() const { return url_; }

  // Returns a reusable idle connection; stale ones are closed and counted.
  std::unique_ptr<Connection> take_idle(Clock::time_point now, std::size_t& closed, bool probe) {
    while (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->looks_reusable(now, probe)) return conn;
      conn->close();
      ++closed;
    }
    return nullptr;
  }
  void put_idle(std::unique_ptr<Connection> conn) { idle_.push_back(std::move(conn)); }
  bool has_idle() const { return !idle_.empty(); }
  void close_one_idle() {
    idle_.front()->close();
    idle_.erase(idle_.begin());
  }
  ~Pool() {
    for (auto& c : idle_) c->close();
  }

 private:
  config::UpstreamUrl url_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

struct UpstreamClient::Lease {
  std::unique_ptr<Connection> conn;
  Pool* pool = nullptr;
  bool reused = false;
  Failure failure = Failure::kNone;
  std::string detail;
  bool connect_failed = false;  // failed while connecting: safe to fail over
};

struct UpstreamClient::Waiters {
  std::deque<std::shared_ptr<asio::steady_timer>> queue;
};

std::unique_ptr<ssl::context> make_tls_context(bool verify_peer) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx->set_default_verify_paths();
  ctx->set_verify_mode(verify_peer ? ssl::verify_peer : ssl::verify_none);
  return ctx;
}

namespace {

awaitable<std::pair<Failure, std::string>> connect(Connection& conn, const config::UpstreamUrl& url,
                                                   ssl::context* tls_ctx, bool verify,
                                                   Clock::time_point deadline) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(url.host, url.port, kAwait);
  if (rec) co_return std::pair{Failure::kConnect, "resolve " + url.host + ": " + rec.message()};

  if (url.tls) {
    conn.tls = std::make_unique<TlsStream>(executor, *tls_ctx);
  } else {
    conn.plain.emplace(executor);
  }
  conn.lowest().expires_at(deadline);
  auto [cec, ep] = co_await conn.lowest().async_connect(endpoints, kAwait);
  if (cec) {
    co_return std::pair{is_timeout(cec) ? Failure::kTimeout : Failure::kConnect,
                        "connect " + url.to_string() + ": " + cec.message()};
  }
  conn.lowest().socket().set_option(tcp::no_delay(true));
  if (url.tls) {
    if (!SSL_set_tlsext_host_name(conn.tls->native_handle(), url.host.c_str())) {
      co_return std::pair{Failure::kConnect, std::string("TLS SNI setup failed")};
    }
    if (verify) conn.tls->set_verify_callback(ssl::host_name_verification(url.host));
    auto [hec] = co_await conn.tls->async_handshake(ssl::stream_base::client, kAwait);
    if (hec) {
      co_return std::pair{is_timeout(hec) ? Failure::kTimeout : Failure::kConnect,
                          "TLS handshake " + url.to_string() + ": " + hec.message()};
    }
  }
  conn.lowest().expires_never();
  conn.deadline.emplace(conn.lowest().socket());
  // Requests are first written without waiting (send()): a full send buffer
  // must say would_block, not block the worker.
  if (conn.plain) {
    beast::error_code ignored;
    conn.plain->socket().non_blocking(true, ignored);
  }
  co_return std::pair{Failure::kNone, std::string()};
}

}  // namespace

UpstreamClient::UpstreamClient(asio::any_io_executor executor, ssl::context& tls,
                               const config::UpstreamConfig& config, std::size_t max_connections)
    : executor_(std::move(executor)),
      config_(config),
      max_connections_(std::max<std::size_t>(1, max_connections)),
      waiters_(std::make_unique<Waiters>()) {
  tls_ = &tls;
  primary_ = std::make_unique<Pool>(config::parse_upstream_url(config.base_url).value());
  if (!config.backup_url.empty()) {
    backup_ = std::make_unique<Pool>(config::parse_upstream_url(config.backup_url).value());
  }
}

UpstreamClient::~UpstreamClient() = default;

awaitable<bool> UpstreamClient::wait_for_slot(Clock::time_point deadline) {
  auto timer = std::make_shared<asio::steady_timer>(executor_, deadline);
  waiters_->queue.push_back(timer);
  auto [ec] = co_await timer->async_wait(kAwait);
  if (ec == asio::error::operation_aborted) co_return true;  // woken by wake_one
  std::erase(waiters_->queue, timer);
  co_return false;
}

void UpstreamClient::release_slot() {
  --open_connections_;
  wake_one();
}

void UpstreamClient::wake_one() {
  if (!waiters_->queue.empty()) {
    auto timer = std::move(waiters_->queue.front());
    waiters_->queue.pop_front();
    timer->cancel();
  }
}

awaitable<UpstreamClient::Lease> UpstreamClient::acquire_from(Pool& pool,
                                                              Clock::time_point deadline,
                                                              bool probe) {
  // First come, first served: while others wait for a connection, a new
  // caller queues behind them instead of taking the next one to come free.
  if (!waiters_->queue.empty() && !co_await wait_for_slot(deadline)) {
    co_return Lease{nullptr, &pool, false, Failure::kTimeout, "no upstream connection free", false};
  }
  for (;;) {
    std::size_t closed = 0;
    auto conn = pool.take_idle(Clock::now(), closed, probe);
    for (; closed > 0; --closed) release_slot();
    if (conn) co_return Lease{std::move(conn), &pool, true, Failure::kNone, {}, false};
    if (open_connections_ < max_connections_) break;
    Pool* other = &pool == primary_.get() ? backup_.get() : primary_.get();
    if (other && other->has_idle()) {
      other->close_one_idle();
      release_slot();
    } else if (!co_await wait_for_slot(deadline)) {
      co_return Lease{nullptr, &pool, false, Failure::kTimeout, "no upstream connection free",
                      false};
    }
  }
  ++open_connections_;
  auto fresh = std::make_unique<Connection>();
  const auto connect_deadline = std::min(deadline, Clock::now() + config_.connect_timeout);
  auto [failure, detail] =
      co_await connect(*fresh, pool.url(), tls_, config_.tls_verify, connect_deadline);
  if (failure == Failure::kNone)
    co_return Lease{std::move(fresh), &pool, false, failure, {}, false};
  fresh->close();
  release_slot();
  co_return Lease{nullptr, &pool, false, failure, std::move(detail), true};
}

UpstreamClient::Lease UpstreamClient::take_idle_lease(bool probe) {
  if (!waiters_->queue.empty()) return Lease{};
  const auto now = Clock::now();
  Pool* first = backup_ && now < primary_down_until_ ? backup_.get() : primary_.get();
  std::size_t closed = 0;
  auto conn = first->take_idle(now, closed, probe);
  for (; closed > 0; --closed) release_slot();
  if (!conn) return Lease{};
  if (first == primary_.get()) primary_down_until_ = {};
  return Lease{std::move(conn), first, true, Failure::kNone, {}, false};
}

awaitable<UpstreamClient::Lease> UpstreamClient::acquire(Clock::time_point deadline, bool probe) {
  // SPEC §7: the backup is used when the primary fails to connect. While the
  // primary is held down the backup goes first, the primary second.
  const bool backup_first = backup_ && Clock::now() < primary_down_until_;
  Pool* order[2] = {primary_.get(), backup_.get()};
  if (backup_first) std::swap(order[0], order[1]);
  Lease lease;
  for (Pool* pool : order) {
    if (!pool) continue;
    lease = co_await acquire_from(*pool, deadline, probe);
    if (!lease.connect_failed) break;
    if (pool == primary_.get()) primary_down_until_ = Clock::now() + kPrimaryHoldDown;
    if (Clock::now() >= deadline) break;
  }
  if (lease.conn && lease.pool == primary_.get()) primary_down_until_ = {};
  co_return lease;
}

awaitable<Outcome> UpstreamClient::send(Request request, std::chrono::milliseconds timeout) {
  const bool safe = is_safe(request.method());
  // A TRACE has no content (RFC 9110 §9.3.8); the front door refuses one
  // that does (server/http_server.cpp), so this is only a guard.
  if (request.method() == http::verb::trace && !request.body().empty()) {
    co_return Outcome{{}, Failure::kProtocol, "TRACE request with content", false};
  }
  const auto deadline = Clock::now() + (timeout.count() > 0 ? timeout : config_.timeout);

  for (int attempt = 0;; ++attempt) {
    // Only the first try of a safe method skips the liveness probe: it is
    // resent on a fresh connection if this one is dead, and a retry must not
    // land on another dead one. Writes are sent only on a connection that
    // passed, and never resent once they may have arrived.
    const bool probe = !safe || attempt > 0;
    auto lease = take_idle_lease(probe);
    if (!lease.conn) lease = co_await acquire(deadline, probe);
    if (!lease.conn) {
      Outcome failed{{}, lease.failure, std::move(lease.detail), false};
      failed.attempts = attempt;
      co_return failed;
    }
    const bool used_backup = lease.pool == backup_.get();
    auto& conn = *lease.conn;
    conn.deadline->expires_at(deadline);
    const auto timed_out = [&conn](const beast::error_code& ec) {
      return is_timeout(ec) || (ec && conn.deadline->expired());
    };
    // A reused connection can die between our liveness check and the write;
    // only then, and only for safe methods, is one retry harmless.
    const bool may_retry = lease.reused && safe && attempt == 0;

    // `attempt` connections tried before this one; this one counts too.
    const auto failed = [&](Failure failure, std::string detail, int before, bool sent) {
      return Outcome{{}, failure, std::move(detail), used_backup, sent, before + 1};
    };
    write_request_head(request, lease.pool->url().host_header, conn.head);
    const std::array<asio::const_buffer, 2> wire{asio::buffer(conn.head),
                                                 asio::buffer(request.body())};
    // As on the client side: a request that fits in the socket's send buffer
    // is written at once, with no trip through the event loop (plain TCP;
    // TLS writes through its stream).
    beast::error_code wec;
    std::size_t written = 0;
    if (conn.plain) {
      written = conn.plain->socket().write_some(wire, wec);
      if (wec == asio::error::would_block || wec == asio::error::try_again) {
        wec = {};
        written = 0;
      }
    }
    if (!wec && written < asio::buffer_size(wire)) {
      beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(wire);
      rest.consume(written);
      std::tie(wec, std::ignore) = co_await on_stream(
          conn, [&](auto& stream) { return asio::async_write(stream, rest, kAwait); });
    }
    // A failed write left part of the request at most: upstream cannot have
    // acted on it, so `sent` stays false and a retry is safe.
    if (wec) {
      conn.close();
      release_slot();
      if (timed_out(wec)) co_return failed(Failure::kTimeout, "write timed out", attempt, false);
      if (may_retry) continue;
      co_return failed(Failure::kProtocol, "write: " + wec.message(), attempt, false);
    }

    // Interim replies are skipped, as RFC 9110 §15.2 asks of a client:
    // upstream, or a CDN in front of it, may send 103 Early Hints or a 100
    // Continue nobody asked for. Taken for the answer, one would be relayed
    // as the client's reply. A 101 (nothing here asks to switch protocols)
    // or an endless run of them is a protocol error.
    std::optional<ReplyParser> parser;
    beast::error_code rec;
    bool got_some = false;
    for (int interim = 0;; ++interim) {
      parser.emplace(request.method() == http::verb::head);
      parser->body_limit(kMaxResponseBytes);
      if (conn.plain) {
        rec = co_await read_reply(conn.plain->socket(), conn.buffer, *parser);
      } else {
        std::tie(rec, std::ignore) =
            co_await http::async_read(*conn.tls, conn.buffer, *parser, kAwait);
      }
      got_some = got_some || parser->got_some();
      if (rec || parser->status() / 100 != 1) break;
      if (parser->status() == 101 || interim == kMaxInterimReplies) {
        rec = http::error::bad_status;
        break;
      }
    }
    if (rec) {
      conn.close();
      release_slot();
      if (timed_out(rec)) co_return failed(Failure::kTimeout, "timed out", attempt, true);
      if (may_retry && !got_some) continue;
      co_return failed(Failure::kProtocol, "read: " + rec.message(), attempt, true);
    }
    Outcome outcome{parser->release(), Failure::kNone, {}, used_backup, true, attempt + 1};
    if (parser->keep_alive()) {
      conn.idle_since = Clock::now();
      conn.deadline->expires_never();
      lease.pool->put_idle(std::move(lease.conn));
      wake_one();  // a caller waiting for a connection takes this one
    } else {
      conn.close();
      release_slot();
    }
    co_return outcome;
  }
}

}  // namespace yxgate::upstream
