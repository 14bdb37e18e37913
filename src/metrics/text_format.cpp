#include "metrics/text_format.hpp"

#include <charconv>
#include <cmath>

namespace yxgate::metrics::text {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Whole numbers print as integers ("100", not "1e+02"); 2^53 keeps them exact.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(value));
    return std::string(buf, ptr);
  }
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general);
  return std::string(buf, ptr);
}

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void write_header(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(escape_help(help)).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void write_sample(std::string& out, std::string_view name,
                  const std::vector<std::string>& label_names,
                  const std::vector<std::string>& label_values, double value,
                  std::string_view extra_name, std::string_view extra_value) {
  out.append(name);
  if (!label_names.empty() || !extra_name.empty()) {
    out += '{';
    for (std::size_t i = 0; i < label_names.size(); ++i) {
      if (i > 0) out += ',';
      out.append(label_names[i])
          .append("=\"")
          .append(escape_label_value(label_values[i]))
          .append("\"");
    }
    if (!extra_name.empty()) {
      if (!label_names.empty()) out += ',';
      out.append(extra_name).append("=\"").append(escape_label_value(extra_value)).append("\"");
    }
    out += '}';
  }
  out.append(" ").append(format_value(value)).append("\n");
}

void write_child(std::string& out, std::string_view name,
                 const std::vector<std::string>& label_names,
                 const std::vector<std::string>& label_values, const Counter& c) {
  write_sample(out, name, label_names, label_values, c.value());
}

void write_child(std::string& out, std::string_view name,
                 const std::vector<std::string>& label_names,
                 const std::vector<std::string>& label_values, const Gauge& g) {
  write_sample(out, name, label_names, label_values, g.value());
}

void write_child(std::string& out, std::string_view name,
                 const std::vector<std::string>& label_names,
                 const std::vector<std::string>& label_values, const Histogram& h) {
  const auto snap = h.snapshot();
  const std::string bucket = std::string(name) + "_bucket";
  const auto& bounds = h.upper_bounds();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    write_sample(out, bucket, label_names, label_values, static_cast<double>(snap.cumulative[i]),
                 "le", format_value(bounds[i]));
  }
  write_sample(out, bucket, label_names, label_values, static_cast<double>(snap.count), "le",
               "+Inf");
  write_sample(out, std::string(name) + "_sum", label_names, label_values, snap.sum);
  write_sample(out, std::string(name) + "_count", label_names, label_values,
               static_cast<double>(snap.count));
}

}  // namespace yxgate::metrics::text
