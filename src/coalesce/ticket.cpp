#include "coalesce/ticket.hpp"

namespace yxgate::coalesce {

std::string flight_key(const FillTicket& ticket, std::string_view target) {
  std::string key = std::to_string(ticket.key.app);
  key += ' ';
  key += std::to_string(ticket.local_generation);
  key += ' ';
  key += target;
  return key;
}

}  // namespace yxgate::coalesce
