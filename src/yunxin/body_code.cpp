#include "yunxin/body_code.hpp"

#include <simdjson.h>

#include <string_view>

namespace yxgate::yunxin {
namespace {

enum class Leading { kNone, kCode, kOther };

// The vendor's replies are compact and start `{"code":N,` (Jackson). Read
// there when a body does (issue 18 profile: an on-demand parse indexes the
// whole body, ~2k instructions for a 470-byte page, to find this). kOther:
// the body starts some other way (spaces, another first key, a number that
// is not a plain int64 such as 200.0, 1e2 or 0200): simdjson reads it.
Leading leading_code(std::string_view body, long long& code) {
  constexpr std::string_view kPrefix = R"({"code":)";
  if (!body.starts_with(kPrefix)) return Leading::kOther;
  std::size_t i = kPrefix.size();
  const bool negative = i < body.size() && body[i] == '-';
  if (negative) ++i;
  const auto digits_at = i;
  unsigned long long value = 0;
  while (i < body.size() && body[i] >= '0' && body[i] <= '9' && i - digits_at < 18) {
    value = value * 10 + static_cast<unsigned>(body[i] - '0');
    ++i;
  }
  const auto digits = i - digits_at;
  if (digits == 0 || (digits > 1 && body[digits_at] == '0')) return Leading::kOther;
  if (i == body.size() || (body[i] != ',' && body[i] != '}')) return Leading::kOther;
  // As simdjson's first stage: a body that is not UTF-8 is no JSON at all.
  if (!simdjson::validate_utf8(body.data(), body.size())) return Leading::kNone;
  code = negative ? -static_cast<long long>(value) : static_cast<long long>(value);
  return Leading::kCode;
}

}  // namespace

struct BodyCodeReader::Impl {
  simdjson::ondemand::parser parser;
};

BodyCodeReader::BodyCodeReader() : impl_(std::make_unique<Impl>()) {}
BodyCodeReader::~BodyCodeReader() = default;

std::optional<long long> BodyCodeReader::read(std::string& body) {
  long long leading = 0;
  switch (leading_code(body, leading)) {
    case Leading::kCode:
      return leading;
    case Leading::kNone:
      return std::nullopt;
    case Leading::kOther:
      break;
  }
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING) {
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  }
  simdjson::padded_string_view view(body.data(), body.size(), body.capacity());
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(view).get(doc)) return std::nullopt;
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) return std::nullopt;
  int64_t code = 0;
  if (object["code"].get_int64().get(code)) return std::nullopt;
  return code;
}

}  // namespace yxgate::yunxin
