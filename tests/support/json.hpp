#pragma once
// JSON lookups for test assertions, by JSON pointer ("/data/success_list/0/text").
// Each returns nullopt when the body does not parse or the pointer does not
// lead to a value of that type.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yxgate::testing {

bool json_valid(std::string_view json);
std::optional<std::int64_t> json_get_int(std::string_view json, std::string_view pointer);
std::optional<std::string> json_get_string(std::string_view json, std::string_view pointer);
std::optional<bool> json_get_bool(std::string_view json, std::string_view pointer);
// The element re-serialized minified (objects, arrays, anything).
std::optional<std::string> json_get_raw(std::string_view json, std::string_view pointer);
std::optional<std::size_t> json_array_size(std::string_view json, std::string_view pointer);
// An array of integers; nullopt if any element is not one.
std::optional<std::vector<std::int64_t>> json_get_int_array(std::string_view json,
                                                            std::string_view pointer);

}  // namespace yxgate::testing
