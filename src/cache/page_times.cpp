#include "cache/page_times.hpp"

#include <simdjson.h>

#include "cache/json_number.hpp"

namespace yxgate::cache {
namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view kPrefixes[] = {"/im/v2/", "/im/v2.1/"};

// Splits "a/b/c" into segments; false past `out`'s size or on an empty one.
template <std::size_t N>
bool split(std::string_view rest, std::size_t& count, std::string_view (&out)[N]) {
  count = 0;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    if (count == N) return false;
    out[count++] = rest.substr(0, slash);
    if (out[count - 1].empty()) return false;
    if (slash == std::string_view::npos) return true;
    rest.remove_prefix(slash + 1);
    if (rest.empty()) return false;
  }
  return count > 0;
}

// Reads a message object's own id and create_time; with `nested`, also the
// messages array a v2 thread_root holds.
bool read_message(od::object object, std::vector<MessageTime>& out, bool nested);

bool read_array(od::array array, std::vector<MessageTime>& out) {
  for (auto element : array) {
    od::value value;
    od::json_type type;
    if (element.get(value) || value.type().get(type)) return false;  // malformed
    if (type != od::json_type::object) continue;                     // not a message
    od::object object;
    if (value.get_object().get(object)) return false;
    if (!read_message(object, out, false)) return false;
  }
  return true;
}

bool read_message(od::object object, std::vector<MessageTime>& out, bool nested) {
  MessageTime time;
  bool has_id = false;
  bool has_time = false;
  for (auto field : object) {
    std::string_view key;
    od::value value;
    if (field.unescaped_key().get(key) || field.value().get(value)) return false;
    if (key == "message_server_id") {
      has_id = read_u64(value, time.message_server_id) && time.message_server_id > 0;
    } else if (key == "create_time") {
      has_time = read_u64(value, time.create_time);
    } else if (nested && key == "messages") {
      od::array array;
      if (!value.get_array().get(array) && !read_array(array, out)) return false;
    }
  }
  if (has_id && has_time) out.push_back(time);
  return true;
}

bool read_data(od::object data, std::vector<MessageTime>& out) {
  MessageTime own;
  bool has_id = false;
  bool has_time = false;
  for (auto field : data) {
    std::string_view key;
    od::value value;
    if (field.unescaped_key().get(key) || field.value().get(value)) return false;
    if (key == "message_server_id") {
      has_id = read_u64(value, own.message_server_id) && own.message_server_id > 0;
    } else if (key == "create_time") {
      has_time = read_u64(value, own.create_time);
    } else if (key == "items" || key == "messages") {
      od::array array;
      if (!value.get_array().get(array) && !read_array(array, out)) return false;
    } else if (key == "thread_root") {
      od::object root;
      if (!value.get_object().get(root) && !read_message(root, out, true)) return false;
    }
  }
  if (has_id && has_time) out.push_back(own);
  return true;
}

}  // namespace

bool page_carries_message_times(std::string_view method, std::string_view path) {
  std::string_view rest;
  for (auto prefix : kPrefixes) {
    if (path.starts_with(prefix)) rest = path.substr(prefix.size());
  }
  std::string_view seg[3];
  std::size_t count = 0;
  if (rest.empty() || !split(rest, count, seg) || count != 3) return false;
  if (seg[0] == "conversations" && seg[1] != "actions" && seg[2] == "messages") {
    return method == "GET" || method == "POST";  // history page, send reply
  }
  return seg[0] == "messages" && seg[1] == "actions" && seg[2] == "thread_messages" &&
         method == "GET";
}

std::vector<MessageTime> read_message_times(std::string_view body) {
  std::vector<MessageTime> times;
  if (body.size() > kMaxLearnedPageBytes) return times;
  // On-demand parsing reads past the end of its input: it needs a padded copy.
  const simdjson::padded_string padded(body);
  thread_local od::parser parser;
  od::document doc;
  od::object top;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(top)) return times;
  std::int64_t code = 0;
  bool ok = false;
  for (auto field : top) {
    std::string_view key;
    od::value value;
    if (field.unescaped_key().get(key) || field.value().get(value)) return {};
    if (key == "code") {
      ok = !value.get_int64().get(code) && code == 200;
    } else if (key == "data") {
      od::object data;
      if (value.get_object().get(data) || !read_data(data, times)) return {};
    }
  }
  // A truncated or trailing-garbage body teaches nothing (simdjson 3.0 has
  // no document::at_end(): a location past the object means more text).
  const char* rest = nullptr;
  if (!ok || doc.current_location().get(rest) == simdjson::SUCCESS) times.clear();
  return times;
}

}  // namespace yxgate::cache
