#pragma once
// Internal to config_loader: a YAML node that knows its key path, so every
// type error names where it happened ("apps[0].rate_limits.scope: ...").
// Errors are thrown as ParseError and turned into a Result at parse_config().
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace yxgate::config::detail {

struct ParseError {
  std::string message;
};

class YamlNode {
 public:
  using Handler = std::function<void(const YamlNode&)>;

  YamlNode(YAML::Node node, std::string path) : node_(std::move(node)), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }

  // Dispatches each key of a map to its handler. Unknown and repeated keys are
  // errors; null counts as an empty map (a section with everything commented out).
  void read_map(std::initializer_list<std::pair<std::string_view, Handler>> handlers) const;
  // Elements of a list; null counts as an empty list.
  std::vector<YamlNode> elements() const;

  std::string as_string() const;
  std::int64_t as_int(std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) const;
  double as_number() const;
  bool as_bool() const;
  Duration as_duration() const;
  std::uint64_t as_size() const;
  std::vector<std::string> as_string_list() const;

  [[noreturn]] void fail(const std::string& what) const;
  // An error about a key of this map, e.g. a missing one: "<path>.<key>: <what>".
  [[noreturn]] void fail_key(std::string_view key, const std::string& what) const;

 private:
  // The scalar text, or an error "expected <what>" when this is not a scalar.
  const std::string& scalar(std::string_view what) const;

  YAML::Node node_;
  std::string path_;
};

}  // namespace yxgate::config::detail
