#pragma once
// Reading the vendor's message replies (api-docs 000, 001) for the cache and
// the batcher. Pure logic: the raw JSON of each message is kept verbatim so an
// answer rebuilt from the cache is byte-equal to upstream's own.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace yxgate::cache {

struct SingleReply {
  long long code = 0;
  std::string data_json;  // the `data` value verbatim (a message object when code 200)
};

// Parses {"code":..,"msg":..,"data":{..}}. Fails when the body is not that
// shape (the caller answers 502: SPEC §3.1, §5).
Result<SingleReply> parse_single_reply(std::string_view body);

// Reads the `code` of a reply the gateway does not otherwise use (a
// mutation's), validating the whole body: one JSON object with an integer
// `code` and nothing after it. Fails on anything else (SPEC §11.1: a 200
// whose body cannot be parsed is a failure on every route the gateway parses).
Result<long long> parse_reply_code(std::string_view body);

struct FailedItem {
  std::uint64_t message_server_id = 0;
  std::uint64_t create_time = 0;
  long long error_code = 0;
  std::string error_msg;
};

struct BatchReply {
  long long code = 0;
  std::string msg;
  std::vector<std::string> success_json;  // each message object verbatim
  std::vector<FailedItem> failed;
};

// Parses a batch_messages reply; success_list and failed_list may be absent.
Result<BatchReply> parse_batch_reply(std::string_view body);

// One requested item of a client's batch_messages body.
struct BatchItem {
  std::uint64_t message_server_id = 0;
  std::uint64_t create_time = 0;
  bool has_create_time = true;
  // Not part of the item: the Redis epoch its lookup saw, carried to the
  // fill's ticket (coalesce/ticket.hpp FillTicket::redis_epoch).
  std::optional<std::int64_t> redis_epoch{};
};

// Parses {"messages":[{"message_server_id":N,"create_time":T},...]}; the
// error text follows "parameter error: " in the 414 answer (SPEC §3.2).
Result<std::vector<BatchItem>> parse_batch_request(std::string_view body);

// Writes {"messages":[...]} for an upstream batch call.
std::string make_batch_request(const std::vector<BatchItem>& items);

// Upstream's single-message GET body for a failed_list entry (SPEC §3.1.5).
std::string failed_item_body(const FailedItem& item);

}  // namespace yxgate::cache
