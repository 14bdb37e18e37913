// Differential framing test (issue 14): every input of h11_framing.py's
// corpus goes to the gateway over a raw socket and to h11 (python3-h11, an
// independent HTTP/1.1 parser). For each input the gateway must read the
// same requests h11 reads (same methods, targets, bodies, as recorded by
// the emulator upstream), possibly fewer when it refuses the rest with a
// gateway error — never more, never different ones.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/gateway_process.hpp"
#include "support/emulator_process.hpp"
#include "support/http_client.hpp"
#include "support/json.hpp"

namespace yxgate::testing {
namespace {

struct Seen {
  std::string method;
  std::string target;
  std::string body;
  bool operator==(const Seen&) const = default;
};

struct Case {
  std::string name;
  std::string input;
  std::vector<Seen> requests;  // h11's reading
  std::string end;             // "ok" | "error"
};

std::string base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) continue;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

std::vector<Case> load_corpus() {
  const std::string command =
      std::string(YXGATE_PYTHON3) + " " + YXGATE_SOURCE_DIR "/tests/differential/h11_framing.py";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return {};
  std::string output;
  char chunk[4096];
  while (const auto n = fread(chunk, 1, sizeof chunk, pipe.get())) output.append(chunk, n);
  std::vector<Case> cases;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    Case c;
    c.name = json_get_string(line, "/name").value_or("");
    c.input = base64_decode(json_get_string(line, "/input").value_or(""));
    c.end = json_get_string(line, "/end").value_or("");
    const auto n = json_array_size(line, "/requests").value_or(0);
    for (std::size_t i = 0; i < n; ++i) {
      const auto at = "/requests/" + std::to_string(i);
      c.requests.push_back({json_get_string(line, at + "/method").value_or(""),
                            json_get_string(line, at + "/target").value_or(""),
                            base64_decode(json_get_string(line, at + "/body").value_or(""))});
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

// The final statuses of the responses in `reply` (1xx interim answers
// skipped), and whether each was made by the gateway (X-Yxgate-Error).
struct Answer {
  int status;
  bool gateway_error;
};

std::vector<Answer> parse_answers(std::string_view reply) {
  std::vector<Answer> answers;
  while (reply.starts_with("HTTP/1.")) {
    const auto head_end = reply.find("\r\n\r\n");
    if (head_end == std::string_view::npos || reply.size() < 12) break;
    const std::string head(reply.substr(0, head_end + 2));
    const int status = std::atoi(head.c_str() + 9);
    std::string lower = head;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::size_t length = 0;
    if (const auto at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
      length = std::strtoull(lower.c_str() + at + 17, nullptr, 10);
    }
    reply.remove_prefix(std::min(reply.size(), head_end + 4 + length));
    if (status >= 100 && status < 200) continue;
    answers.push_back({status, lower.find("\r\nx-yxgate-error:") != std::string::npos});
  }
  return answers;
}

std::vector<Seen> upstream_requests(const EmulatorProcess& emulator) {
  const auto log = emulator.requests();
  std::vector<Seen> seen;
  const auto n = json_array_size(log, "").value_or(0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto at = "/" + std::to_string(i);
    seen.push_back({json_get_string(log, at + "/method").value_or(""),
                    json_get_string(log, at + "/target").value_or(""),
                    json_get_string(log, at + "/body").value_or("")});
  }
  return seen;
}

std::string describe(const std::vector<Seen>& requests) {
  std::string out = "[";
  for (const auto& r : requests) {
    out +=
        r.method + " " + r.target + " body(" + std::to_string(r.body.size()) + ")=" + r.body + "; ";
  }
  return out + "]";
}

std::string printable(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

TEST(FramingDifferential, GatewayReadsWhatH11ReadsOrRefuses) {
  const auto cases = load_corpus();
  ASSERT_GE(cases.size(), 200u) << "run scripts/install-deps.sh (python3-h11)";
  EmulatorProcess emulator;
  GatewayOptions options;
  options.upstream_url = emulator.base_url();
  options.server_yaml = "  request_timeout: 2s\n";
  // No rate limit may answer in upstream's place.
  options.app_yaml =
      "    rate_limits:\n      default: { rate: 1000000, burst: 1000000 }\n"
      "      max_wait: 0ms\n";
  GatewayProcess gateway(options);

  int refused = 0;
  int agreed = 0;
  for (const auto& c : cases) {
    emulator.reset();
    const auto reply =
        raw_exchange(gateway.port(), c.input, std::chrono::seconds(5), /*half_close=*/true);
    const auto answers = parse_answers(reply);
    const auto upstream = upstream_requests(emulator);
    const auto context = [&] {
      return c.name + "\n  input:   " + printable(c.input) +
             "\n  h11:     " + describe(c.requests) + " end=" + c.end +
             "\n  gateway: " + describe(upstream) +
             "\n  reply:   " + printable(reply.substr(0, 300));
    };
    if (upstream.size() > c.requests.size()) {
      ADD_FAILURE() << "gateway read more requests: " << context();
      continue;
    }
    bool same = true;
    for (std::size_t i = 0; i < upstream.size(); ++i) same = same && upstream[i] == c.requests[i];
    EXPECT_TRUE(same) << "gateway read different requests: " << context();
    if (upstream.size() < c.requests.size()) {
      // Fewer: only because the gateway refused (400, 501, ...) with its own
      // answer after those it forwarded.
      const bool refusal = answers.size() == upstream.size() + 1 && answers.back().gateway_error &&
                           answers.back().status >= 400;
      EXPECT_TRUE(refusal) << "gateway dropped a request h11 read: " << context();
      ++refused;
    } else {
      ++agreed;
    }
  }
  std::printf("framing corpus: %zu inputs, %d read the same, %d refused by the gateway\n",
              cases.size(), agreed, refused);
}

}  // namespace
}  // namespace yxgate::testing
