#pragma once
// The HTTP/1.1 keep-alive server around Emulator::handle (the shape of
// Beast's example/http/server/awaitable: do_session, do_listen).
#include "emulator.hpp"
#include "options.hpp"

namespace yxgate::emulator {

// Binds, prints "listening HOST:PORT", serves on options.threads threads
// until SIGTERM/SIGINT, then returns 0. Throws if it cannot bind.
int run_server(Emulator& emulator, const Options& options);

}  // namespace yxgate::emulator
