#include "fidelity/message_params.hpp"

namespace yxgate::fidelity {

Result<MessageLookup> parse_message_lookup(std::string_view raw_conversation_id,
                                           std::string_view raw_message_server_id,
                                           std::string_view query) {
  return fidelity::read_single_get(raw_conversation_id, raw_message_server_id, query);
}

}  // namespace yxgate::fidelity
