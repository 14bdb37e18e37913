#include "cache/invalidation_message.hpp"

#include "router/conversation_id.hpp"

namespace yxgate::cache {

std::string render_invalidation(std::string_view nonce, std::string_view app,
                                Invalidation::Kind kind, std::string_view subject) {
  std::string out;
  out.reserve(nonce.size() + app.size() + subject.size() + 5);
  out.append(nonce).append("\t").append(app);
  out.append(kind == Invalidation::Kind::kMessage ? "\tm\t" : "\tc\t");
  out.append(subject);
  return out;
}

std::optional<Invalidation> parse_invalidation(std::string_view payload) {
  const auto t1 = payload.find('\t');
  if (t1 == std::string_view::npos) return std::nullopt;
  const auto t2 = payload.find('\t', t1 + 1);
  if (t2 == std::string_view::npos) return std::nullopt;
  const auto t3 = payload.find('\t', t2 + 1);
  if (t3 == std::string_view::npos) return std::nullopt;
  Invalidation out;
  out.nonce = payload.substr(0, t1);
  out.app = payload.substr(t1 + 1, t2 - t1 - 1);
  const auto kind = payload.substr(t2 + 1, t3 - t2 - 1);
  out.subject = payload.substr(t3 + 1);
  if (out.nonce.empty() || out.app.empty() || out.subject.empty()) return std::nullopt;
  if (kind == "c") {
    out.kind = Invalidation::Kind::kConversation;
    return out;
  }
  if (kind != "m") return std::nullopt;
  auto id = router::parse_message_server_id(out.subject);
  // Canonical only ("7", not "007"): the publisher writes std::to_string.
  if (!id || out.subject.front() == '0') return std::nullopt;
  out.message_id = *id;
  return out;
}

}  // namespace yxgate::cache
