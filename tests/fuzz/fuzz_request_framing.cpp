// libFuzzer target: the request reader's framing decision (issue 14, SPEC
// §11.1). Input: a request head, "METHOD TARGET HTTP/1.x\r\nName: value\r\n...".
// Oracles: the decision does not depend on field order; an accepted request
// re-serialised with only its framing fields decides the same framing; an
// accepted framing never leaves TE and CL both in play.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "frontdoor/request_framing.hpp"

namespace {

using yxgate::frontdoor::BodyFraming;
using yxgate::frontdoor::FramingCheck;
using yxgate::frontdoor::FramingDecision;
using Field = std::pair<std::string_view, std::string_view>;

struct Head {
  std::string_view method;
  unsigned version = 11;
  std::vector<Field> fields;
};

Head split_head(std::string_view input) {
  Head head;
  bool first = true;
  while (!input.empty()) {
    auto end = input.find("\r\n");
    const auto line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 2);
    if (first) {
      first = false;
      head.method = line.substr(0, line.find(' '));
      if (line.ends_with("HTTP/1.0")) head.version = 10;
      continue;
    }
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    head.fields.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return head;
}

FramingDecision decide(unsigned version, const std::vector<Field>& fields) {
  FramingCheck check(version);
  for (const auto& [name, value] : fields) check.add_field(name, value);
  return check.decision();
}

bool same(const FramingDecision& a, const FramingDecision& b) {
  if (a.ok() != b.ok()) return false;
  if (!a.ok()) return true;
  return a.framing == b.framing && a.content_length == b.content_length;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto head = split_head(input);
  (void)yxgate::frontdoor::is_known_method(head.method);
  const auto decision = decide(head.version, head.fields);

  auto reversed = head.fields;
  std::reverse(reversed.begin(), reversed.end());
  if (!same(decision, decide(head.version, reversed))) std::abort();
  if (!decision.ok()) return 0;

  bool te = false;
  bool cl = false;
  for (const auto& [name, value] : head.fields) {
    te = te || iequals(name, "transfer-encoding");
    cl = cl || iequals(name, "content-length");
  }
  if (te && cl) std::abort();                                           // §6.3: never both
  if ((decision.framing == BodyFraming::kChunked) != te) std::abort();  // TE means chunked
  if (decision.framing == BodyFraming::kChunked && head.version < 11) std::abort();

  // Re-serialised with canonical framing fields, the decision is the same.
  const std::string length = std::to_string(decision.content_length);
  std::vector<Field> canonical = {{"Host", "x"}};
  if (decision.framing == BodyFraming::kChunked)
    canonical.emplace_back("Transfer-Encoding", "chunked");
  if (decision.framing == BodyFraming::kContentLength)
    canonical.emplace_back("Content-Length", length);
  if (!same(decision, decide(head.version, canonical))) std::abort();
  return 0;
}
