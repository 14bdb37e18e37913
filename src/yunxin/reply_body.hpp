#pragma once
// The bodies the gateway writes itself, in upstream's envelope: every
// gateway-made error (SPEC §5) reads `{"code":N,"msg":"...","data":{}}`,
// every answer it serves from the cache `{"code":200,"msg":"success","data":…}`.
#include <string>
#include <string_view>

namespace yxgate::yunxin {

// `msg` is JSON-escaped.
std::string error_body(int code, std::string_view msg);

// A success envelope around `data` (JSON, verbatim): kSuccessPrefix + data + "}".
inline constexpr std::string_view kSuccessPrefix = R"({"code":200,"msg":"success","data":)";
std::string success_body(std::string_view data_json);

// The cached answer to a single-message lookup upstream said was missing.
inline constexpr std::string_view kMessageNotFoundBody =
    R"({"code":107404,"msg":"message not exist","data":{}})";

}  // namespace yxgate::yunxin
