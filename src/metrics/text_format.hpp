#pragma once
// Prometheus text exposition format 0.0.4: escaping, numbers, sample lines.
#include <string>
#include <string_view>
#include <vector>

#include "metrics/counter.hpp"
#include "metrics/gauge.hpp"
#include "metrics/histogram.hpp"

namespace yxgate::metrics::text {

// Label value: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);
// HELP text: backslash and newline escaped.
std::string escape_help(std::string_view help);
// Integers without a fraction ("3"), others shortest round-trip ("0.0005"),
// "+Inf", "-Inf", "NaN".
std::string format_value(double value);

// Valid metric / label names (label names starting "__" are reserved).
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

void write_header(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type);

// `name{l1="v1",...,extra_name="extra_value"} value\n`; extra label only if extra_name non-empty.
void write_sample(std::string& out, std::string_view name,
                  const std::vector<std::string>& label_names,
                  const std::vector<std::string>& label_values, double value,
                  std::string_view extra_name = {}, std::string_view extra_value = {});

// All lines of one child of a family.
void write_child(std::string& out, std::string_view name,
                 const std::vector<std::string>& label_names,
                 const std::vector<std::string>& label_values, const Counter& c);
void write_child(std::string& out, std::string_view name,
                 const std::vector<std::string>& label_names,
                 const std::vector<std::string>& label_values, const Gauge& g);
void write_child(std::string& out, std::string_view name,
                 const std::vector<std::string>& label_names,
                 const std::vector<std::string>& label_values, const Histogram& h);

}  // namespace yxgate::metrics::text
