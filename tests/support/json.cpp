#include "support/json.hpp"

#include <simdjson.h>

namespace yxgate::testing {
namespace {

// A fresh parser per call: tests are not hot paths and elements must not
// outlive the parser that made them.
template <class F>
auto with_element(std::string_view json, std::string_view pointer, F&& f)
    -> decltype(f(std::declval<simdjson::dom::element>())) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root)) return std::nullopt;
  simdjson::dom::element element;
  if (root.at_pointer(pointer).get(element)) return std::nullopt;
  return f(element);
}

}  // namespace

bool json_valid(std::string_view json) {
  simdjson::dom::parser parser;
  return !parser.parse(json.data(), json.size()).error();
}

std::optional<std::int64_t> json_get_int(std::string_view json, std::string_view pointer) {
  return with_element(json, pointer, [](simdjson::dom::element e) -> std::optional<std::int64_t> {
    std::int64_t value = 0;
    if (e.get_int64().get(value)) return std::nullopt;
    return value;
  });
}

std::optional<std::string> json_get_string(std::string_view json, std::string_view pointer) {
  return with_element(json, pointer, [](simdjson::dom::element e) -> std::optional<std::string> {
    std::string_view value;
    if (e.get_string().get(value)) return std::nullopt;
    return std::string(value);
  });
}

std::optional<bool> json_get_bool(std::string_view json, std::string_view pointer) {
  return with_element(json, pointer, [](simdjson::dom::element e) -> std::optional<bool> {
    bool value = false;
    if (e.get_bool().get(value)) return std::nullopt;
    return value;
  });
}

std::optional<std::string> json_get_raw(std::string_view json, std::string_view pointer) {
  return with_element(json, pointer, [](simdjson::dom::element e) -> std::optional<std::string> {
    return simdjson::minify(e);
  });
}

std::optional<std::size_t> json_array_size(std::string_view json, std::string_view pointer) {
  return with_element(json, pointer, [](simdjson::dom::element e) -> std::optional<std::size_t> {
    simdjson::dom::array array;
    if (e.get_array().get(array)) return std::nullopt;
    return array.size();
  });
}

std::optional<std::vector<std::int64_t>> json_get_int_array(std::string_view json,
                                                            std::string_view pointer) {
  using Out = std::optional<std::vector<std::int64_t>>;
  return with_element(json, pointer, [](simdjson::dom::element e) -> Out {
    simdjson::dom::array array;
    if (e.get_array().get(array)) return std::nullopt;
    std::vector<std::int64_t> values;
    for (auto item : array) {
      std::int64_t value = 0;
      if (item.get_int64().get(value)) return std::nullopt;
      values.push_back(value);
    }
    return values;
  });
}

}  // namespace yxgate::testing
