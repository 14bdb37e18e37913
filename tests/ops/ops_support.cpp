#include "ops/ops_support.hpp"

#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace yxgate::ops {

namespace fs = std::filesystem;

fs::path source_dir() { return fs::path(YXGATE_SOURCE_DIR); }

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  const std::string full = "(" + command + ") 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string find_in_path(std::string_view name) {
  const char* path = std::getenv("PATH");
  const std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, end - start)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return {};
}

// ---------------------------------------------------------------------------
// Dashboard

namespace {

std::string string_field(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get(v) == simdjson::SUCCESS) return std::string(v);
  return {};
}

void collect_panels(simdjson::dom::array panels, std::vector<DashboardQuery>& out) {
  for (simdjson::dom::element panel : panels) {
    const auto title = string_field(panel, "title");
    simdjson::dom::array targets;
    if (panel["targets"].get(targets) == simdjson::SUCCESS) {
      for (simdjson::dom::element target : targets) {
        const auto expr = string_field(target, "expr");
        out.push_back({"panel '" + title + "' " + string_field(target, "refId"), expr});
      }
    }
    simdjson::dom::array nested;
    if (panel["panels"].get(nested) == simdjson::SUCCESS) collect_panels(nested, out);
  }
}

}  // namespace

std::vector<DashboardQuery> dashboard_queries(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(simdjson::padded_string(json)).get(root)) {
    throw std::runtime_error(std::string("dashboard JSON: ") + simdjson::error_message(error));
  }
  std::vector<DashboardQuery> out;
  simdjson::dom::array panels;
  if (root["panels"].get(panels) != simdjson::SUCCESS) {
    throw std::runtime_error("dashboard JSON: no panels array");
  }
  collect_panels(panels, out);
  simdjson::dom::array variables;
  if (root["templating"]["list"].get(variables) == simdjson::SUCCESS) {
    static const std::regex kLabelValues(R"(^label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$)");
    for (simdjson::dom::element variable : variables) {
      if (string_field(variable, "type") != "query") continue;
      std::string query = string_field(variable["query"], "query");
      if (query.empty()) query = string_field(variable, "query");
      std::smatch m;
      if (std::regex_match(query, m, kLabelValues)) query = m[1];
      out.push_back({"variable " + string_field(variable, "name"), query});
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// PromQL

namespace {

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}

// Index just past the bracket matching the one at `open`, or npos.
std::size_t skip_group(std::string_view s, std::size_t open, char open_c, char close_c) {
  int depth = 0;
  for (std::size_t i = open; i < s.size(); ++i) {
    if (s[i] == open_c) ++depth;
    if (s[i] == close_c && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

// Strings, label matchers and range/subquery brackets blanked out.
std::string strip_strings_and_selectors(std::string_view in) {
  std::string s;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '"' || c == '\'' || c == '`') {
      std::size_t j = i + 1;
      while (j < in.size() && in[j] != c) j += (in[j] == '\\' && c != '`') ? 2 : 1;
      i = j;
      s += ' ';
    } else if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      // Skip to the closing bracket; strings inside a matcher may hold one.
      std::size_t j = i + 1;
      while (j < in.size() && in[j] != close) {
        if (in[j] == '"' || in[j] == '\'' || in[j] == '`') {
          const char q = in[j];
          ++j;
          while (j < in.size() && in[j] != q) j += (in[j] == '\\' && q != '`') ? 2 : 1;
        }
        ++j;
      }
      i = j;
      s += ' ';
    } else {
      s += c;
    }
  }
  return s;
}

}  // namespace

std::set<std::string> promql_metric_names(std::string_view expr) {
  static const std::set<std::string, std::less<>> kGrouping{
      "by", "without", "on", "ignoring", "group_left", "group_right"};
  // Binary operators, modifiers, and aggregations (which may stand before a
  // `by (...)` clause instead of their parenthesis).
  static const std::set<std::string, std::less<>> kKeywords{
      "and",     "or",       "unless",       "bool",  "offset", "inf",        "nan",    "atan2",
      "sum",     "min",      "max",          "avg",   "count",  "stddev",     "stdvar", "topk",
      "bottomk", "quantile", "count_values", "group", "limitk", "limit_ratio"};
  const std::string s = strip_strings_and_selectors(expr);
  std::set<std::string> names;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      continue;
    }
    if (!ident_start(c)) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < s.size() && ident_char(s[end])) ++end;
    const std::string word = s.substr(i, end - i);
    std::size_t next = end;
    while (next < s.size() && std::isspace(static_cast<unsigned char>(s[next]))) ++next;
    std::string lower = word;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (kGrouping.count(lower) && next < s.size() && s[next] == '(') {
      i = skip_group(s, next, '(', ')');  // the label list
      if (i == std::string::npos) break;
      continue;
    }
    i = end;
    if (kKeywords.count(lower) || kGrouping.count(lower)) continue;
    if (next < s.size() && s[next] == '(') continue;  // a function
    names.insert(word);
  }
  return names;
}

std::string substitute_grafana_variables(std::string expr) {
  static const std::vector<std::pair<std::regex, std::string>> kBuiltins{
      {std::regex(R"(\$\{?__rate_interval\}?)"), "1m"},
      {std::regex(R"(\$\{?__interval\}?)"), "15s"},
      {std::regex(R"(\$\{?__range\}?)"), "5m"},
  };
  for (const auto& [re, value] : kBuiltins) expr = std::regex_replace(expr, re, value);
  static const std::regex kVariable(R"(\$\{?[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}?)");
  return std::regex_replace(expr, kVariable, ".+");
}

std::vector<std::string> variables_outside_regex_matchers(std::string_view expr) {
  std::vector<std::string> out;
  static const std::regex kVariable(R"(\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?)");
  const std::string s(expr);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kVariable); it != std::sregex_iterator();
       ++it) {
    const std::string name = (*it)[1];
    if (name.starts_with("__")) continue;
    const auto pos = static_cast<std::size_t>(it->position());
    if (pos < 3 || s.compare(pos - 3, 3, "=~\"") != 0) out.push_back(name);
  }
  return out;
}

std::map<std::string, std::string> declared_metric_families() {
  static const std::regex kDeclaration(
      R"re(\b(counter|gauge|histogram)(?:_callback)?\s*\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)")re");
  std::map<std::string, std::string> families;
  for (const char* file : {"src/metrics/yxgate_metrics.cpp", "src/metrics/process_collector.cpp"}) {
    const std::string text = read_text(source_dir() / file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kDeclaration);
         it != std::sregex_iterator(); ++it) {
      families[(*it)[2]] = (*it)[1];
    }
  }
  return families;
}

std::set<std::string> selectable_series_names() {
  std::set<std::string> names{"up"};
  for (const auto& [name, type] : declared_metric_families()) {
    if (type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names.insert(name + suffix);
    } else {
      names.insert(name);
    }
  }
  return names;
}

std::string url_encode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace yxgate::ops
