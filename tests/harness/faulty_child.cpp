// A child process that misbehaves on purpose, for the tests that prove the
// e2e harness fails a test when a child does (issue 13): it prints "ready",
// waits for SIGTERM, then does what its argument says.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <thread>

namespace {

volatile std::sig_atomic_t g_terminate = 0;
void on_term(int) { g_terminate = 1; }

// Kept out of the optimiser's sight so the faults really happen.
__attribute__((noinline)) int read_freed() {
  auto* p = new int[4]{1, 2, 3, 4};
  delete[] p;
  return p[2];
}

__attribute__((noinline)) void leak() {
  static void* volatile sink = nullptr;
  sink = std::malloc(4096);
  sink = nullptr;  // now unreachable: LeakSanitizer reports it at exit
}

__attribute__((noinline)) int overflow(int big) { return big + 1; }

int race() {
  static int shared = 0;  // written by two threads without a lock
  std::thread a([] {
    for (int i = 0; i < 100000; ++i) ++shared;
  });
  std::thread b([] {
    for (int i = 0; i < 100000; ++i) ++shared;
  });
  a.join();
  b.join();
  return shared > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "clean";
  std::signal(SIGTERM, on_term);
  if (mode == "ignore-term") std::signal(SIGTERM, SIG_IGN);
  // SIGTERM stays blocked except inside sigsuspend(), which unblocks it and
  // waits atomically. A `while (!g_terminate) pause();` loses a SIGTERM that
  // lands between the check and pause(), and hangs the child; under
  // ThreadSanitizer (which defers handlers to its next interceptor) that
  // window is wide, and ADataRaceFails timed out under load.
  sigset_t term;
  sigset_t waiting;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigprocmask(SIG_BLOCK, &term, &waiting);
  sigdelset(&waiting, SIGTERM);  // the mask while waiting: SIGTERM let in
  if (mode == "report-on-stderr") {
    std::fprintf(stderr, "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n");
  }
  std::printf("ready\n");
  std::fflush(stdout);
  if (mode == "crash-now") std::abort();
  while (g_terminate == 0) sigsuspend(&waiting);
  sigprocmask(SIG_UNBLOCK, &term, nullptr);
  if (mode == "exit-3") return 3;
  if (mode == "use-after-free") return read_freed() == 3 ? 0 : 0;
  if (mode == "leak") leak();
  if (mode == "ubsan") return overflow(argc > 2 ? std::atoi(argv[2]) : 2147483647) > 0 ? 0 : 0;
  if (mode == "race") return race();
  return 0;
}
