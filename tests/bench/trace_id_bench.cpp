// Cost of one trace id on the hit path (issue 14: ids now come from the
// per-thread RAND_bytes pool; target < 0.2 us per request). Not a test:
//   ninja -C build trace_id_bench && ./build/tests/trace_id_bench
#include <chrono>
#include <cstdio>
#include <string>

#include "signing/signer.hpp"

int main() {
  constexpr int kIds = 2'000'000;
  std::size_t sink = 0;
  for (int i = 0; i < 10'000; ++i) sink += yxgate::signing::make_trace_id().size();  // warm up
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIds; ++i) sink += yxgate::signing::make_trace_id()[3];
  const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
  std::printf("make_trace_id: %.1f ns per id over %d ids (sink %zu)\n", took.count() / kIds, kIds,
              sink);
  return 0;
}
