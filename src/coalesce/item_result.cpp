#include "coalesce/item_result.hpp"

#include "yunxin/reply_body.hpp"

namespace yxgate::coalesce {

std::string ItemResult::single_message_body() const {
  if (kind == Kind::kMessage) return yunxin::success_body(message_json);
  return cache::failed_item_body(failed);
}

}  // namespace yxgate::coalesce
