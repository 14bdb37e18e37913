#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "config/units.hpp"

namespace yxgate::config::detail {
namespace {

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string kind_of(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  return quoted(node.Scalar());
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

}  // namespace

void YamlNode::fail(const std::string& what) const {
  throw ParseError{(path_.empty() ? std::string("(top level)") : path_) + ": " + what};
}

void YamlNode::fail_key(std::string_view key, const std::string& what) const {
  throw ParseError{child_path(path_, key) + ": " + what};
}

void YamlNode::read_map(
    std::initializer_list<std::pair<std::string_view, Handler>> handlers) const {
  if (is_null()) return;
  if (!node_.IsMap()) fail("expected a map (got " + kind_of(node_) + ")");
  std::set<std::string> seen;
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) fail("keys must be plain strings");
    const std::string key = entry.first.Scalar();
    const YamlNode child(entry.second, child_path(path_, key));
    // yaml-cpp keeps both copies of a repeated key; silently using one hides typos.
    if (!seen.insert(key).second) child.fail("duplicate key");
    const auto it = std::find_if(handlers.begin(), handlers.end(),
                                 [&](const auto& h) { return h.first == key; });
    if (it == handlers.end()) child.fail("unknown key");
    it->second(child);
  }
}

std::vector<YamlNode> YamlNode::elements() const {
  std::vector<YamlNode> out;
  if (is_null()) return out;
  if (!node_.IsSequence()) fail("expected a list (got " + kind_of(node_) + ")");
  for (std::size_t i = 0; i < node_.size(); ++i) {
    out.emplace_back(node_[i], path_ + "[" + std::to_string(i) + "]");
  }
  return out;
}

const std::string& YamlNode::scalar(std::string_view what) const {
  if (!node_.IsScalar()) fail("expected " + std::string(what) + " (got " + kind_of(node_) + ")");
  return node_.Scalar();
}

std::string YamlNode::as_string() const { return scalar("a string"); }

std::int64_t YamlNode::as_int(std::int64_t min, std::int64_t max) const {
  const std::string& text = scalar("an integer");
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) fail("out of range (got " + text + ")");
  if (ec != std::errc{} || ptr != text.data() + text.size()) {
    fail("expected an integer (got " + quoted(text) + ")");
  }
  if (value < min) fail("must be >= " + std::to_string(min) + " (got " + text + ")");
  if (value > max) fail("must be <= " + std::to_string(max) + " (got " + text + ")");
  return value;
}

double YamlNode::as_number() const {
  const std::string& text = scalar("a number");
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(value)) {
    fail("expected a number (got " + quoted(text) + ")");
  }
  return value;
}

bool YamlNode::as_bool() const {
  const std::string& text = scalar("true or false");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  fail("expected true or false (got " + quoted(text) + ")");
}

Duration YamlNode::as_duration() const {
  const std::string& text = scalar("a duration");
  const auto d = parse_duration(text);
  if (!d) fail("invalid duration " + quoted(text) + " (use ms, s, m, h)");
  return *d;
}

std::uint64_t YamlNode::as_size() const {
  const std::string& text = scalar("a size");
  const auto n = parse_size(text);
  if (!n) fail("invalid size " + quoted(text) + " (use bytes, KiB, MiB, GiB)");
  return *n;
}

std::vector<std::string> YamlNode::as_string_list() const {
  std::vector<std::string> out;
  for (const auto& element : elements()) out.push_back(element.as_string());
  return out;
}

}  // namespace yxgate::config::detail
