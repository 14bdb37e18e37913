#pragma once
// yxgate-emulator command line (emulator/README.md, "CLI").
#include <cstdint>
#include <string>

#include "auth.hpp"
#include "result.hpp"

namespace yxgate::emulator {

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the kernel picks; the bound port is printed
  AppSecrets apps;         // default: demo-app-key:demo-app-secret
  int threads = 1;
  std::uint64_t seed = 1;
  // Upstream behaviours the gateway must survive (README.md, "Switches").
  bool gzip = false;                 // Content-Encoding: gzip when Accept-Encoding allows it
  bool chunked = false;              // every API answer Transfer-Encoding: chunked
  std::int64_t idle_timeout_ms = 0;  // close a keep-alive connection idle this long; 0: 60 s
  bool help = false;
};

inline constexpr const char* kUsage =
    "usage: yxgate-emulator [--listen HOST:PORT] [--app KEY:SECRET]... [--threads N] [--seed N]\n"
    "                       [--gzip] [--chunked] [--idle-timeout-ms N]\n";

Result<Options> parse_options(int argc, const char* const* argv);

}  // namespace yxgate::emulator
