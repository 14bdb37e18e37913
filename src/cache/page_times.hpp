#pragma once
// Learning create_times from relayed pages (SPEC §11.5): which passed-through
// replies carry messages, and reading (message_server_id, create_time) out of
// them. Pure logic, no I/O.
//
// Only the conversation-message id space is learned: the conversation history
// page and the send reply (`.../conversations/{cid}/messages`, GET / POST) and
// thread pages (`messages/actions/thread_messages`). Chatroom messages are
// not read: their ids are a different space, never asked by a single GET, and
// a wrong learned time would turn that GET's answer into 107404.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace yxgate::cache {

// Replies larger than this are relayed without being read: a page is at most
// 100 messages, so a bigger body is not a page worth the parse.
inline constexpr std::size_t kMaxLearnedPageBytes = 1 << 20;

// Whether a passed-through request's reply is one of the pages above.
// `path` is the request path without its query (as routed).
bool page_carries_message_times(std::string_view method, std::string_view path);

struct MessageTime {
  std::uint64_t message_server_id = 0;
  std::uint64_t create_time = 0;
  bool operator==(const MessageTime&) const = default;
};

// The (id, create_time) pairs of a reply body with code 200: `data` itself
// when it is a message (send reply), each element of `data.items` (history),
// `data.messages` and `data.thread_root` (v2.1 thread page) and
// `data.thread_root.messages` (v2 thread page). Only a message's own top-level
// `message_server_id` and `create_time` count (not `thread_config`'s copies);
// an object without both is skipped. Anything else (not JSON, another code,
// over kMaxLearnedPageBytes) yields nothing.
std::vector<MessageTime> read_message_times(std::string_view body);

}  // namespace yxgate::cache
