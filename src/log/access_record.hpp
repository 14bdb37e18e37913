#pragma once
// What the access log writes about one request (SPEC §10): filled in by the
// gateway as the request passes its stages (request::RequestContext extends
// it). Never a secret, a CheckSum or a message body.
#include <string>
#include <string_view>

#include "router/route.hpp"

namespace yxgate::log {

struct AccessRecord {
  std::string trace_id;
  std::string app;
  std::string method;
  std::string path;         // without the query string
  std::string client;       // peer address
  std::string client_name;  // SPEC §6 client, when tokens are configured
  router::RouteClass route = router::RouteClass::kNone;
  int status = 0;
  long long body_code = 0;          // 0 when the body carried none
  std::string_view cache = "none";  // hit|miss|coalesced|bypass|partial|none
  int upstream_calls = 0;           // every attempt, a retry on a fresh connection included
  std::string upstream_trace_id;    // the shared batch call this request rode on
  std::string error;                // X-Yxgate-Error value when the gateway answered
};

}  // namespace yxgate::log
