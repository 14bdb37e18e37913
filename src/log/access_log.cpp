#include "log/access_log.hpp"

#include <spdlog/spdlog.h>

#include "log/logging.hpp"

namespace yxgate::log {
namespace {

void field(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":\"";
  append_json_escaped(out, value);
  out += '"';
}

void field(std::string& out, std::string_view name, long long value) {
  out += ",\"";
  out += name;
  out += "\":";
  out += std::to_string(value);
}

}  // namespace

std::string format_access_log(const AccessRecord& ctx, double latency_ms) {
  std::string line = "\"event\":\"access\"";
  field(line, "trace_id", ctx.trace_id);
  field(line, "app", ctx.app);
  field(line, "client", ctx.client);
  if (!ctx.client_name.empty()) field(line, "client_name", ctx.client_name);
  field(line, "method", ctx.method);
  field(line, "path", ctx.path);
  field(line, "route", router::route_class_name(ctx.route));
  field(line, "status", ctx.status);
  field(line, "code", ctx.body_code);
  field(line, "cache", ctx.cache);
  field(line, "upstream_calls", ctx.upstream_calls);
  if (!ctx.upstream_trace_id.empty()) field(line, "upstream_trace_id", ctx.upstream_trace_id);
  char latency[32];
  std::snprintf(latency, sizeof latency, "%.3f", latency_ms);
  line += ",\"latency_ms\":";
  line += latency;
  if (!ctx.error.empty()) field(line, "error", ctx.error);
  return line;
}

void write_access_log(const AccessRecord& ctx, double latency_ms) {
  spdlog::info(format_access_log(ctx, latency_ms));
}

}  // namespace yxgate::log
