// yxgate-emulator: a stand-in for the Yunxin IM server API v2 (README.md).
#include <exception>
#include <iostream>

#include "emulator.hpp"
#include "options.hpp"
#include "server.hpp"

int main(int argc, char** argv) {
  using namespace yxgate::emulator;
  auto options = parse_options(argc, argv);
  if (!options) {
    std::cerr << "yxgate-emulator: " << options.error().message << '\n' << kUsage;
    return 2;
  }
  if (options->help) {
    std::cout << kUsage;
    return 0;
  }
  try {
    Emulator emulator(options.value());
    return run_server(emulator, options.value());
  } catch (const std::exception& e) {
    std::cerr << "yxgate-emulator: " << e.what() << '\n';
    return 1;
  }
}
