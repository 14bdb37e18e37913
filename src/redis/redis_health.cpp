#include "redis/redis_health.hpp"

namespace yxgate::redis {

RedisHealth::Vote::Vote(RedisHealth& health) : health_(health) {
  std::lock_guard lock(health_.mutex_);
  ++health_.links_;
  ++health_.down_;
  health_.update_locked();
}

RedisHealth::Vote::~Vote() {
  std::lock_guard lock(health_.mutex_);
  --health_.links_;
  if (!up_) --health_.down_;
  health_.update_locked();
}

void RedisHealth::Vote::set_up(bool up) {
  std::lock_guard lock(health_.mutex_);
  if (up == up_) return;
  up_ = up;
  health_.down_ += up ? -1 : 1;
  health_.update_locked();
}

bool RedisHealth::all_up() const {
  std::lock_guard lock(mutex_);
  return links_ > 0 && down_ == 0;
}

void RedisHealth::update_locked() { gauge_.Set(links_ > 0 && down_ == 0 ? 1.0 : 0.0); }

}  // namespace yxgate::redis
