#include "coalesce/item_result.hpp"

namespace yxgate::coalesce {

std::string ItemResult::single_message_body() const {
  if (kind == Kind::kMessage)
    return "{\"code\":200,\"msg\":\"success\",\"data\":" + message_json + "}";
  return cache::failed_item_body(failed);
}

}  // namespace yxgate::coalesce
