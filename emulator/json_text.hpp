#pragma once
// Hand-written JSON output: field order is ours, so bodies are byte-for-byte
// deterministic for the same state (tests compare them verbatim).
#include <string>
#include <string_view>

namespace yxgate::emulator {

void append_json_string(std::string& out, std::string_view text);
std::string json_string(std::string_view text);

// {"code":code,"msg":msg,"data":{}} — the vendor's error shape.
std::string error_body(long long code, std::string_view msg);
// {"code":200,"msg":"success","data":<data_json>}
std::string success_body(std::string_view data_json);

}  // namespace yxgate::emulator
