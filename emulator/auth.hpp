#pragma once
// The vendor's signature check (SPEC §2): AppKey known, CurTime within
// 300 s of now, CheckSum = hex SHA1(secret + Nonce + CurTime).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "request.hpp"

namespace yxgate::emulator {

inline constexpr std::int64_t kCurTimeWindowSeconds = 300;

using AppSecrets = std::map<std::string, std::string, std::less<>>;  // AppKey -> secret

// nullopt when the request is signed correctly, else the reason for the 414.
std::optional<std::string> check_signature(const Request& request, const AppSecrets& apps,
                                           std::int64_t now_seconds);

}  // namespace yxgate::emulator
