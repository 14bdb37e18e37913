#include "redis/cluster_slots.hpp"

#include <algorithm>
#include <charconv>

namespace yxgate::redis {
namespace {

std::uint16_t crc16(std::string_view bytes) {
  // CCITT polynomial 0x1021, initial 0 (XMODEM), as Redis Cluster uses.
  std::uint16_t crc = 0;
  for (const unsigned char byte : bytes) {
    crc ^= static_cast<std::uint16_t>(byte) << 8;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<std::uint16_t>(crc << 1);
    }
  }
  return crc;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::uint16_t key_slot(std::string_view key) {
  if (const auto open = key.find('{'); open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return crc16(key) & (kClusterSlots - 1);
}

std::optional<Redirect> parse_redirect(std::string_view error) {
  Redirect r{};
  if (error.starts_with("MOVED ")) {
    r.kind = Redirect::Kind::kMoved;
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    r.kind = Redirect::Kind::kAsk;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const auto space = error.find(' ');
  const auto colon = error.rfind(':');
  if (space == std::string_view::npos || colon == std::string_view::npos || colon < space) {
    return std::nullopt;
  }
  if (!parse_number(error.substr(0, space), r.slot) || r.slot >= kClusterSlots ||
      !parse_number(error.substr(colon + 1), r.node.port) || r.node.port == 0) {
    return std::nullopt;
  }
  r.node.host = std::string(error.substr(space + 1, colon - space - 1));
  // IPv6 addresses come bracket-free: "MOVED 1 ::1:7000" parses by the last colon.
  return r;
}

std::optional<SlotMap> SlotMap::from_cluster_slots(const RedisValue& reply,
                                                   const std::string& asked_host) {
  if (!reply.is_array()) return std::nullopt;
  SlotMap map;
  for (const auto& range : reply.elements) {
    if (!range.is_array() || range.elements.size() < 3) return std::nullopt;
    const auto& start = range.elements[0];
    const auto& end = range.elements[1];
    const auto& master = range.elements[2];
    if (!start.is_integer() || !end.is_integer() || start.integer < 0 ||
        end.integer >= kClusterSlots || start.integer > end.integer || !master.is_array() ||
        master.elements.size() < 2 || !master.elements[1].is_integer()) {
      return std::nullopt;
    }
    ClusterNode node{master.elements[0].str,
                     static_cast<std::uint16_t>(master.elements[1].integer)};
    if (node.host.empty() || node.host == "?") node.host = asked_host;
    map.move(static_cast<std::uint16_t>(start.integer), node);
    const auto index = map.owner_[start.integer];
    std::fill(map.owner_.begin() + start.integer, map.owner_.begin() + end.integer + 1, index);
  }
  return map;
}

const ClusterNode* SlotMap::master_for(std::uint16_t slot) const {
  const auto index = owner_[slot % kClusterSlots];
  return index < 0 ? nullptr : &masters_[static_cast<std::size_t>(index)];
}

bool SlotMap::complete() const {
  return std::none_of(owner_.begin(), owner_.end(), [](std::int16_t i) { return i < 0; });
}

void SlotMap::move(std::uint16_t slot, const ClusterNode& node) {
  auto it = std::find(masters_.begin(), masters_.end(), node);
  if (it == masters_.end()) it = masters_.insert(masters_.end(), node);
  owner_[slot % kClusterSlots] = static_cast<std::int16_t>(it - masters_.begin());
}

}  // namespace yxgate::redis
