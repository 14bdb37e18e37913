// libFuzzer target: the pub/sub invalidation payload (issue 13). Oracle:
//  - what parse_invalidation() accepts re-renders to the same bytes, and a
//    message id is the canonical decimal of the subject;
//  - what render_invalidation() makes from tab-free, non-empty parts (the
//    input split on '\n') parses back to those parts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cache/invalidation_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using yxgate::cache::Invalidation;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto parsed = yxgate::cache::parse_invalidation(input)) {
    if (yxgate::cache::render_invalidation(parsed->nonce, parsed->app, parsed->kind,
                                           parsed->subject) != input) {
      __builtin_trap();
    }
    if (parsed->kind == Invalidation::Kind::kMessage &&
        std::to_string(parsed->message_id) != parsed->subject) {
      __builtin_trap();
    }
  }

  // "nonce\napp\nsubject": render a conversation invalidation and read it back.
  const auto n1 = input.find('\n');
  const auto n2 = n1 == std::string_view::npos ? n1 : input.find('\n', n1 + 1);
  if (n2 == std::string_view::npos) return 0;
  const auto nonce = input.substr(0, n1);
  const auto app = input.substr(n1 + 1, n2 - n1 - 1);
  const auto subject = input.substr(n2 + 1);
  if (nonce.empty() || app.empty() || subject.empty()) return 0;
  if (nonce.find('\t') != std::string_view::npos || app.find('\t') != std::string_view::npos) {
    return 0;
  }
  const auto text =
      yxgate::cache::render_invalidation(nonce, app, Invalidation::Kind::kConversation, subject);
  const auto back = yxgate::cache::parse_invalidation(text);
  if (!back || back->nonce != nonce || back->app != app || back->subject != subject ||
      back->kind != Invalidation::Kind::kConversation) {
    __builtin_trap();
  }
  return 0;
}
