#include "holds.hpp"

#include <simdjson.h>

#include "json_input.hpp"
#include "json_text.hpp"

namespace yxgate::emulator {

Result<HoldRule> parse_hold_rule(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get_object().get(object)) {
    return make_error("body must be a JSON object");
  }
  HoldRule rule;
  std::string_view text = "any";
  if (last_field(object, "route").get_string().get(text) == simdjson::INCORRECT_TYPE) {
    return make_error("route must be a string");
  }
  if (text != "any") {
    rule.route = route_from_name(text);
    if (!rule.route) return make_error("unknown route");
  }
  std::int64_t count = 1;
  if (auto e = last_field(object, "count").get_int64().get(count); e != simdjson::NO_SUCH_FIELD) {
    if (e || count < 0) return make_error("count must be a non-negative integer");
  }
  rule.remaining = static_cast<std::uint64_t>(count);
  text = "before";
  if (last_field(object, "phase").get_string().get(text) == simdjson::INCORRECT_TYPE) {
    return make_error("phase must be a string");
  }
  if (text == "before") {
    rule.phase = HoldPhase::kBefore;
  } else if (text == "after") {
    rule.phase = HoldPhase::kAfter;
  } else {
    return make_error("phase must be before or after");
  }
  return rule;
}

std::string Held::json() const {
  std::string out = "{\"id\":" + std::to_string(id_) + ",\"route\":";
  append_json_string(out, kRouteNames[static_cast<int>(route_)]);
  out += ",\"target\":";
  append_json_string(out, target_);
  out += ",\"body\":";
  append_json_string(out, body_);
  out += ",\"phase\":";
  out += phase_ == HoldPhase::kBefore ? "\"before\"}" : "\"after\"}";
  return out;
}

void Held::set_waker(std::function<void()> wake) {
  std::unique_lock lock(mutex_);
  if (released_) {
    lock.unlock();
    wake();
    return;
  }
  wake_ = std::move(wake);
}

void Held::release(bool dropped) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (released_) return;
    released_ = true;
    dropped_ = dropped;
    wake = std::move(wake_);
  }
  if (wake) wake();  // outside the lock: it only posts to the session's strand
}

bool Held::released() const {
  std::lock_guard lock(mutex_);
  return released_;
}

bool Held::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void Held::forget_waker() {
  std::function<void()> old;
  std::lock_guard lock(mutex_);
  old.swap(wake_);
}

void HoldTable::add(HoldRule rule) {
  std::lock_guard lock(mutex_);
  rules_.push_back(rule);
}

std::shared_ptr<Held> HoldTable::take(Route route, const Request& request) {
  std::shared_ptr<Held> held;
  {
    std::lock_guard lock(mutex_);
    for (auto it = rules_.begin(); it != rules_.end(); ++it) {
      if (it->route && *it->route != route) continue;
      held = std::make_shared<Held>(next_id_++, route, request.target, request.body, it->phase);
      if (it->remaining > 0 && --it->remaining == 0) rules_.erase(it);
      held_.push_back(held);
      break;
    }
  }
  if (held) {
    for (auto& wake : take_arrival_wakers()) wake();
  }
  return held;
}

std::size_t HoldTable::held_count() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

std::string HoldTable::held_json() const {
  std::lock_guard lock(mutex_);
  std::string out = "[";
  for (std::size_t i = 0; i < held_.size(); ++i) {
    if (i) out += ',';
    out += held_[i]->json();
  }
  out += ']';
  return out;
}

bool HoldTable::release(std::uint64_t id) {
  std::shared_ptr<Held> found;
  {
    std::lock_guard lock(mutex_);
    for (auto it = held_.begin(); it != held_.end(); ++it) {
      if ((*it)->id() != id) continue;
      found = *it;
      held_.erase(it);
      break;
    }
  }
  if (found) found->release(false);
  return found != nullptr;
}

std::size_t HoldTable::release_all() {
  std::vector<std::shared_ptr<Held>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(held_);
  }
  for (auto& held : all) held->release(false);
  return all.size();
}

void HoldTable::on_next_arrival(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  arrival_wakers_.push_back(std::move(wake));
}

std::vector<std::function<void()>> HoldTable::take_arrival_wakers() {
  std::lock_guard lock(mutex_);
  std::vector<std::function<void()>> out;
  out.swap(arrival_wakers_);
  return out;
}

void HoldTable::reset() {
  std::vector<std::shared_ptr<Held>> all;
  {
    std::lock_guard lock(mutex_);
    rules_.clear();
    all.swap(held_);
  }
  for (auto& held : all) held->release(true);
  for (auto& wake : take_arrival_wakers()) wake();
}

void HoldTable::shutdown() {
  std::vector<std::shared_ptr<Held>> all;
  std::vector<std::function<void()>> wakers;
  {
    std::lock_guard lock(mutex_);
    rules_.clear();
    all.swap(held_);
    wakers.swap(arrival_wakers_);
  }
  for (auto& held : all) held->forget_waker();
}

}  // namespace yxgate::emulator
