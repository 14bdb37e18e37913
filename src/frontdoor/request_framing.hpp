#pragma once
// How long a request's body is, decided from its header fields alone, the
// way RFC 9112 §6 says (SPEC §11.1). Anything ambiguous is refused: a
// gateway and the proxy in front of it must never read one byte stream as
// different requests (request smuggling). Pure: no Asio/Beast, so it is
// unit-tested and fuzzed directly; server/request_parser checks Beast's
// reading against it.
#include <cstdint>
#include <string_view>

namespace yxgate::frontdoor {

enum class BodyFraming { kNone, kContentLength, kChunked };

struct FramingDecision {
  BodyFraming framing = BodyFraming::kNone;
  std::uint64_t content_length = 0;  // with kContentLength
  std::string_view refusal;          // empty when acceptable; why it gets 400
  bool ok() const { return refusal.empty(); }
};

// Fed the request's header fields one by one (names case-insensitive; any
// other field is ignored), then asked for the decision. Allocation-free.
class FramingCheck {
 public:
  explicit FramingCheck(unsigned version = 11) : version_(version) {}

  void add_field(std::string_view name, std::string_view value);
  void add_transfer_encoding(std::string_view value);
  void add_content_length(std::string_view value);
  void add_host(std::string_view value);

  FramingDecision decision() const;

 private:
  unsigned version_;
  // Transfer-Encoding: the list elements over all its field lines.
  int te_elements_ = 0;
  bool te_seen_ = false;
  bool te_only_chunked_ = true;
  bool te_malformed_ = false;
  // Content-Length.
  bool cl_seen_ = false;
  bool cl_malformed_ = false;
  bool cl_differs_ = false;
  std::uint64_t cl_ = 0;
  std::size_t cl_digits_ = 0;
  int hosts_ = 0;
};

// RFC 9110 §9 methods and PATCH (RFC 5789), exactly as registered: methods
// are case-sensitive, so "get" is not GET (answered 501, SPEC §11.1).
bool is_known_method(std::string_view token);

}  // namespace yxgate::frontdoor
