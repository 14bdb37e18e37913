#include "upstream/reply_parser.hpp"

#include <boost/beast/core/string.hpp>

#include "upstream/header_filter.hpp"

namespace yxgate::upstream {

void ReplyParser::on_response_impl(int code, string_view reason, int version, error_code&) {
  message_.result(static_cast<unsigned>(code));
  message_.version(version);
  // By number and phrase (Beast names neither 418 nor 599); the phrase Beast
  // gives the status anyway is not stored.
  if (reason != http::obsolete_reason(message_.result())) message_.reason(reason);
}

void ReplyParser::on_field_impl(http::field name, string_view name_string, string_view value,
                                error_code&) {
  if (in_trailer()) return;
  if (name == http::field::connection) {
    for_each_connection_token(value, [&](std::string_view token) { named_.emplace_back(token); });
  }
  if (is_hop_by_hop(name) && !(head_request_ && name == http::field::content_length)) return;
  if (name == http::field::unknown && is_gateway_owned(name_string)) return;
  message_.insert(name, name_string, value);
}

Response ReplyParser::release() {
  if (!named_.empty()) {
    auto& fields = message_.base();
    for (auto it = fields.begin(); it != fields.end();) {
      bool drop = false;
      for (std::size_t i = 0; !drop && i < named_.size(); ++i) {
        drop = boost::beast::iequals(it->name_string(), named_[i]);
      }
      it = drop ? fields.erase(it) : std::next(it);
    }
  }
  return std::move(message_);
}

}  // namespace yxgate::upstream
