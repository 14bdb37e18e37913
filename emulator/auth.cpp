#include "auth.hpp"

#include <charconv>

#include "signing/signer.hpp"

namespace yxgate::emulator {

std::optional<std::string> check_signature(const Request& request, const AppSecrets& apps,
                                           std::int64_t now_seconds) {
  const auto app_key = request.header("AppKey");
  const auto nonce = request.header("Nonce");
  const auto cur_time = request.header("CurTime");
  const auto check_sum = request.header("CheckSum");
  if (app_key.empty()) return "appkey missing";
  const auto app = apps.find(app_key);
  if (app == apps.end()) return "appkey not exist";
  if (nonce.empty()) return "nonce missing";
  if (cur_time.empty()) return "curtime missing";
  if (check_sum.empty()) return "checksum missing";
  std::int64_t seconds = 0;
  const auto [ptr, ec] =
      std::from_chars(cur_time.data(), cur_time.data() + cur_time.size(), seconds);
  if (ec != std::errc() || ptr != cur_time.data() + cur_time.size()) return "curtime invalid";
  const auto skew = now_seconds - seconds;
  if (skew > kCurTimeWindowSeconds || skew < -kCurTimeWindowSeconds) return "curtime expired";
  const auto expected = signing::check_sum(app->second, nonce, cur_time);
  if (!signing::constant_time_equal(expected, check_sum)) return "checksum error";
  return std::nullopt;
}

}  // namespace yxgate::emulator
