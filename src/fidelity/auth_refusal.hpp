#pragma once
// Which upstream 414 answers mean "your signature was refused" (SPEC §2):
// only those are counted as `auth_error` and logged loudly; a 414 for a
// plain parameter error is an ordinary outcome. Pure logic.
#include <array>
#include <string_view>

namespace yxgate::fidelity {

// Upstream's messages for a refused AppKey, Nonce, CurTime or CheckSum (the
// emulator sends exactly these; emulator/README.md "Signature check").
inline constexpr std::array<std::string_view, 8> kAuthRefusalMessages = {
    "appkey missing",   "appkey not exist", "nonce missing",   "curtime missing",
    "checksum missing", "curtime invalid",  "curtime expired", "checksum error",
};

// `msg` of a code-414 body; compared case-insensitively, surrounding spaces ignored.
bool is_auth_refusal_message(std::string_view msg);

// Whether `body` is {"code":414,"msg":<one of the above>,...}.
bool is_auth_refusal_body(std::string_view body);

}  // namespace yxgate::fidelity
