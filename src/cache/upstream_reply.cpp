#include "cache/upstream_reply.hpp"

#include <simdjson.h>

#include <charconv>

#include "cache/json_number.hpp"
#include "common/json_escape.hpp"

namespace yxgate::cache {
namespace {

namespace od = simdjson::ondemand;

// Opens `body` as a JSON object; false when it is not one.
bool open_object(const simdjson::padded_string& body, od::parser& parser, od::document& doc,
                 od::object& root) {
  return !parser.iterate(body).get(doc) && !doc.get_object().get(root);
}

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                           text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

Result<SingleReply> parse_single_reply(std::string_view body) {
  simdjson::padded_string padded(body);
  od::parser parser;
  od::document doc;
  od::object root;
  if (!open_object(padded, parser, doc, root)) return make_error("reply is not a JSON object");
  SingleReply reply;
  bool have_code = false;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return make_error("bad key");
    if (key == "code") {
      int64_t code = 0;
      if (field.value().get_int64().get(code)) return make_error("code is not an integer");
      reply.code = code;
      have_code = true;
    } else if (key == "data") {
      od::object data;
      std::string_view raw;
      // Error replies may carry any data; only a success needs the object.
      if (!field.value().get_object().get(data) && !data.raw_json().get(raw)) {
        reply.data_json = std::string(trim_right(raw));
      }
    }  // other fields are skipped by the iterator
  }
  if (!have_code) return make_error("reply has no code");
  if (reply.code == 200 && reply.data_json.empty()) return make_error("success without data");
  return reply;
}

Result<long long> parse_reply_code(std::string_view body) {
  // The DOM parser validates every value, skipped ones included, and refuses
  // trailing content; these replies are small and rare (mutations).
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root)) return make_error("reply is not JSON");
  simdjson::dom::object object;
  if (root.get_object().get(object)) return make_error("reply is not a JSON object");
  std::int64_t code = 0;
  if (object["code"].get_int64().get(code)) return make_error("reply has no integer code");
  return static_cast<long long>(code);
}

Result<BatchReply> parse_batch_reply(std::string_view body) {
  simdjson::padded_string padded(body);
  od::parser parser;
  od::document doc;
  od::object root;
  if (!open_object(padded, parser, doc, root)) return make_error("reply is not a JSON object");
  BatchReply reply;
  bool have_code = false;
  bool have_list = false;  // a success answer names its items in one of the two lists
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return make_error("bad key");
    if (key == "code") {
      int64_t code = 0;
      if (field.value().get_int64().get(code)) return make_error("code is not an integer");
      reply.code = code;
      have_code = true;
    } else if (key == "msg") {
      std::string_view msg;
      if (!field.value().get_string().get(msg)) reply.msg = std::string(msg);
    } else if (key == "data") {
      od::object data;
      if (field.value().get_object().get(data)) continue;  // e.g. data:{} on errors
      for (auto list : data) {
        std::string_view name;
        if (list.unescaped_key().get(name)) return make_error("bad key");
        od::array items;
        if (name == "success_list") {
          if (list.value().get_array().get(items)) return make_error("success_list is not a list");
          have_list = true;
          for (auto item : items) {
            od::object message;
            std::string_view raw;
            if (item.get_object().get(message) || message.raw_json().get(raw)) {
              return make_error("bad success_list item");
            }
            reply.success_json.emplace_back(trim_right(raw));
          }
        } else if (name == "failed_list") {
          if (list.value().get_array().get(items)) return make_error("failed_list is not a list");
          have_list = true;
          for (auto item : items) {
            od::object obj;
            if (item.get_object().get(obj)) return make_error("bad failed_list item");
            FailedItem failed;
            for (auto f : obj) {
              std::string_view k;
              if (f.unescaped_key().get(k)) return make_error("bad key");
              if (k == "message_server_id") {
                if (!read_u64(f.value(), failed.message_server_id)) return make_error("bad id");
              } else if (k == "create_time") {
                read_u64(f.value(), failed.create_time);
              } else if (k == "error_code") {
                int64_t code = 0;
                if (f.value().get_int64().get(code)) return make_error("bad code");
                failed.error_code = code;
              } else if (k == "error_msg") {
                std::string_view msg;
                if (!f.value().get_string().get(msg)) failed.error_msg = std::string(msg);
              }
            }
            reply.failed.push_back(std::move(failed));
          }
        }
      }
    }
  }
  if (!have_code) return make_error("reply has no code");
  // data [] or missing on a success would otherwise read as "every item
  // failed" and answer each waiter a 107404 upstream never said (SPEC §3.1).
  if (reply.code == 200 && !have_list) return make_error("success reply without item lists");
  return reply;
}

Result<std::vector<BatchItem>> parse_batch_request(std::string_view body) {
  simdjson::padded_string padded(body);
  od::parser parser;
  od::document doc;
  od::object root;
  if (!open_object(padded, parser, doc, root)) return make_error("body must be a JSON object");
  od::array messages;
  if (root.find_field_unordered("messages").get_array().get(messages)) {
    return make_error("messages must be an array");
  }
  std::vector<BatchItem> items;
  for (auto element : messages) {
    od::object obj;
    if (element.get_object().get(obj)) return make_error("messages items must be objects");
    BatchItem item;
    bool have_id = false;
    bool have_time = false;
    for (auto f : obj) {
      std::string_view k;
      if (f.unescaped_key().get(k)) return make_error("bad key in messages");
      if (k == "message_server_id") {
        have_id = read_u64(f.value(), item.message_server_id);
        if (!have_id) return make_error("message_server_id must be a positive integer");
      } else if (k == "create_time") {
        have_time = read_u64(f.value(), item.create_time);
        if (!have_time) return make_error("create_time must be a non-negative integer");
      }
    }
    if (!have_id || item.message_server_id == 0 ||
        item.message_server_id > 9223372036854775807ull) {
      return make_error("message_server_id must be a positive integer");
    }
    item.has_create_time = have_time;
    items.push_back(item);
  }
  return items;
}

std::string make_batch_request(const std::vector<BatchItem>& items) {
  std::string out = "{\"messages\":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += "{\"message_server_id\":" + std::to_string(items[i].message_server_id);
    // Upstream answers an item without create_time with 107404: pass it on as sent.
    if (items[i].has_create_time) out += ",\"create_time\":" + std::to_string(items[i].create_time);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string failed_item_body(const FailedItem& item) {
  std::string out = "{\"code\":" + std::to_string(item.error_code) + ",\"msg\":";
  append_json_string(out, item.error_msg);
  out += ",\"data\":{}}";
  return out;
}

}  // namespace yxgate::cache
