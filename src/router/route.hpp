#pragma once
// Route classification (SPEC §3, §4): which route class a request belongs to,
// and the parts the message routes need. Pure logic, no I/O.
#include <string>
#include <string_view>

namespace yxgate::router {

// Rate-limit classes of SPEC §4; also the `route` metric label. kNone is a
// path outside the routed prefixes (404).
enum class RouteClass {
  kGetMessage,
  kBatchMessages,
  kChatroomMessages,
  kThreadMessages,
  kConversations,
  kDefault,
  kNone,
};

std::string_view route_class_name(RouteClass route);

// What a request is, beyond its class: the message routes carry their path
// parameters still percent-encoded as the client sent them.
enum class RouteKind {
  kGetMessage,         // GET  .../conversations/{cid}/messages/{id}
  kBatchMessages,      // POST .../conversations/{cid}/batch_messages
  kModifyMessage,      // POST .../messages/actions/modifyMsg
  kDeleteMessage,      // DELETE .../conversations/{cid}/messages/{id}
  kClearConversation,  // DELETE .../conversations/{cid}/messages
  kPassThrough,        // anything else under the prefixes
  kNotRouted,          // outside /im/v2/ and /im/v2.1/
};

struct Route {
  RouteKind kind = RouteKind::kNotRouted;
  RouteClass route_class = RouteClass::kNone;
  std::string_view conversation_id;    // raw (encoded) path segment
  std::string_view message_server_id;  // raw path segment
  std::string_view prefix;             // "/im/v2/" or "/im/v2.1/" when routed
};

// `path` is the request target without the query string; `method` as sent.
// The views in the result point into `path`.
Route classify(std::string_view method, std::string_view path);

// Splits a request target into path and query (without the '?').
struct Target {
  std::string_view path;
  std::string_view query;
};
Target split_target(std::string_view target);

// Value of `name` in an application/x-www-form-urlencoded query, undecoded;
// `found` tells an absent parameter from an empty one.
struct QueryValue {
  bool found = false;
  std::string_view value;
};
QueryValue find_query_param(std::string_view query, std::string_view name);

}  // namespace yxgate::router
