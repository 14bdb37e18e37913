#include "frontdoor/request_framing.hpp"

#include <array>

namespace yxgate::frontdoor {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x += 'a' - 'A';
    if (y >= 'A' && y <= 'Z') y += 'a' - 'A';
    if (x != y) return false;
  }
  return true;
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  constexpr std::string_view kOther = "!#$%&'*+-.^_`|~";
  return kOther.find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// Calls `f` with each element of a comma-separated list. RFC 9110 §5.6.1
// lets a recipient ignore empty elements; `f` sees them, so that a caller
// can refuse them (several parsers do: no reading may differ).
template <class F>
void for_each_element(std::string_view value, F f) {
  while (true) {
    const auto comma = value.find(',');
    f(trim(value.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace

void FramingCheck::add_field(std::string_view name, std::string_view value) {
  if (iequals(name, "transfer-encoding")) {
    add_transfer_encoding(value);
  } else if (iequals(name, "content-length")) {
    add_content_length(value);
  } else if (iequals(name, "host")) {
    add_host(value);
  }
}

void FramingCheck::add_transfer_encoding(std::string_view value) {
  te_seen_ = true;
  for_each_element(value, [this](std::string_view element) {
    ++te_elements_;  // an empty element counts too: "chunked," is refused
    // Parameters (";q=...") make it something other than plain chunked.
    if (!is_token(element)) te_malformed_ = true;
    if (!iequals(element, "chunked")) te_only_chunked_ = false;
  });
}

void FramingCheck::add_content_length(std::string_view value) {
  bool any = false;
  for_each_element(value, [&](std::string_view element) {
    if (element.empty()) {
      cl_malformed_ = true;
      return;
    }
    any = true;
    std::uint64_t n = 0;
    for (char c : element) {
      if (c < '0' || c > '9') {
        cl_malformed_ = true;
        return;
      }
      const auto digit = static_cast<std::uint64_t>(c - '0');
      if (n > (UINT64_MAX - digit) / 10) {
        cl_malformed_ = true;
        return;
      }
      n = n * 10 + digit;
    }
    // RFC 9110 §8.6: a list of identical values may be read as one value.
    // Identical as text: "5" and "05" are refused (h11 does too).
    if (cl_seen_ && (n != cl_ || element.size() != cl_digits_)) cl_differs_ = true;
    cl_seen_ = true;
    cl_ = n;
    cl_digits_ = element.size();
  });
  if (!any) cl_malformed_ = true;
}

void FramingCheck::add_host(std::string_view) { ++hosts_; }

FramingDecision FramingCheck::decision() const {
  FramingDecision d;
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1 (at most one in 1.0).
  if (hosts_ > 1) return {.refusal = "more than one Host header field"};
  if (hosts_ == 0 && version_ >= 11) return {.refusal = "HTTP/1.1 request without Host"};
  if (te_seen_) {
    // §6.1: TE in HTTP/1.0 means faulty framing. §6.3: TE with CL is a
    // smuggling attempt; a final coding other than chunked leaves the
    // length unknown. We decode no other coding, so only "chunked" passes.
    if (version_ < 11) return {.refusal = "Transfer-Encoding in an HTTP/1.0 request"};
    if (cl_seen_ || cl_malformed_) {
      return {.refusal = "both Transfer-Encoding and Content-Length"};
    }
    if (te_malformed_ || te_elements_ != 1 || !te_only_chunked_) {
      return {.refusal = "Transfer-Encoding other than chunked"};
    }
    d.framing = BodyFraming::kChunked;
    return d;
  }
  if (cl_malformed_) return {.refusal = "invalid Content-Length"};
  if (cl_differs_) return {.refusal = "differing Content-Length values"};
  if (cl_seen_) {
    d.framing = BodyFraming::kContentLength;
    d.content_length = cl_;
  }
  return d;
}

bool is_known_method(std::string_view token) {
  static constexpr std::array<std::string_view, 9> kMethods = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (auto m : kMethods) {
    if (m == token) return true;
  }
  return false;
}

}  // namespace yxgate::frontdoor
