// How many threads one GEMM gets. A product of m*n*k multiply-adds is split (by columns, or by
// row blocks of a team sharing B's packing: gemm.cc) from kMinThreadedGemmMacs up. Splitting
// never changes a tile's summation order, so the bits do not depend on the choice.
#pragma once

#include <cstdint>

#include "../thread-pool.h"

namespace nabla {

/**
 * 2M multiply-adds: about 20 us on one native AVX-512 core and 70-130 us on one wasm simd128
 * thread, several times the hand-off to a pool thread (a wasm worker's wake-up included). The MLP
 * benchmark's 128 x 784 x 128 products (12.8M) were below the former 16M and so never split,
 * which left a jitted step's two largest kernels on one thread.
 */
inline constexpr std::int64_t kMinThreadedGemmMacs = std::int64_t{1} << 21;

/** Threads for one product of `macs` multiply-adds on a pool of `poolSize` (pure: tests and benches). */
inline int gemmThreadsForMacs(std::int64_t macs, int poolSize) {
  return macs >= kMinThreadedGemmMacs ? threadsForWork(macs / 8, poolSize) : 1;
}

/** Threads for one product of `macs` multiply-adds on the current pool (1 inside a job). */
inline int gemmThreads(std::int64_t macs) {
  return ThreadPool::insideJob() ? 1 : gemmThreadsForMacs(macs, threadsAvailable());
}

}  // namespace nabla
