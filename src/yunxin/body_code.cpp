#include "yunxin/body_code.hpp"

#include <simdjson.h>

namespace yxgate::yunxin {

struct BodyCodeReader::Impl {
  simdjson::ondemand::parser parser;
};

BodyCodeReader::BodyCodeReader() : impl_(std::make_unique<Impl>()) {}
BodyCodeReader::~BodyCodeReader() = default;

std::optional<long long> BodyCodeReader::read(std::string& body) {
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
