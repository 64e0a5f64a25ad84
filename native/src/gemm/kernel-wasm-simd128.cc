// WebAssembly SIMD (128-bit) micro-kernels, compiled only for wasm with -msimd128. wasm SIMD has
// no fused multiply-add, so each step is a multiply then an add (the scalar kernel's rounding).
// Both are 5 rows x 2 vectors (float32: 5 x 8, float64: 5 x 4): 10 accumulators, 2 vectors of B,
// a broadcast of A and a product make 14 live vectors, inside the 15 that V8 allocates from on
// x86-64 (16 minus its scratch). In A/B runs of the kernel alone (the loaded 2-core build
// machine, CPU time), 5 x 8 reached 46-48 GFLOP/s where 4 x 8 reached 40-42; every shape with
// 12 or more accumulators (6 x 8, 4 x 12, 4 x 16, 8 x 8) spilled and fell to 26-32. Unrolling k
// by two was slower, and so was reloading B per row to fit 12 accumulators (25-29: the extra
// loads cost more than the wider tile saves); walking a pointer to an end (no 64-bit counter)
// was a little faster. TurboFan's code for this loop (node --print-wasm-code) is 2 B loads, 5
// vbroadcastss, 10 vmulps, 10 vaddps and 8 ops of loop control (two pointer adds, two 32-bit
// zero-extensions, the compare and V8's stack check): no spills. Its floor is the two multiply
// and two add pipes of Zen 5: 5 cycles a step, ~56 GFLOP/s at this VM's 3.4 GHz (a native loop of
// only the mul/add pairs measured 56); the same loop replayed natively reached 50-52, the module
// 44-51. Unrolling k by 2, 4 or 8 was again slower (33-38 where this loop ran 44-51 in the same
// runs), and so was a two-step body with an exit after each step (31 against 34, loaded): clang
// and TurboFan interleave the steps, hoisting the second step's loads and broadcasts, and two or
// three accumulators spill to the stack every step. So 1.5x TF.js-wasm's 36 GFLOP/s (54) would
// need ~97% of the pipes' peak with separate mul and add; a fused multiply-add lifts that floor by
// only ~10% (Zen 5's two FMA pipes are the multiply pipes: 128-bit FMA chains measured 55-56
// natively) and changes the rounding (BENCHMARKS.md, "wasm 5 x 8 kernel against the FP pipes'
// floor" and "the 128-bit FMA ceiling").
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "micro-kernel.h"

namespace nabla {

namespace {
constexpr int kRows = 5;

/** One lane type's vector operations. */
struct F32Ops {
  using T = float;
  static constexpr int kLanes = 4;
  static v128_t zero() { return wasm_f32x4_splat(0.f); }
  static v128_t splat(const float* p) { return wasm_v128_load32_splat(p); }
  static v128_t add(v128_t x, v128_t y) { return wasm_f32x4_add(x, y); }
  static v128_t mul(v128_t x, v128_t y) { return wasm_f32x4_mul(x, y); }
};
struct F64Ops {
  using T = double;
  static constexpr int kLanes = 2;
  static v128_t zero() { return wasm_f64x2_splat(0.0); }
  static v128_t splat(const double* p) { return wasm_v128_load64_splat(p); }
  static v128_t add(v128_t x, v128_t y) { return wasm_f64x2_add(x, y); }
  static v128_t mul(v128_t x, v128_t y) { return wasm_f64x2_mul(x, y); }
};

template <typename Ops>
void kernel(std::int64_t k, const typename Ops::T* a, const typename Ops::T* b, typename Ops::T* c, std::int64_t ldc,
            bool accumulate) {
  using T = typename Ops::T;
  constexpr int w = Ops::kLanes;
  v128_t acc[kRows][2];
  for (int i = 0; i < kRows; ++i) acc[i][0] = acc[i][1] = Ops::zero();
  for (const T* end = a + k * kRows; a != end; a += kRows, b += 2 * w) {
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + w);
    for (int i = 0; i < kRows; ++i) {
      const v128_t ai = Ops::splat(a + i);
      acc[i][0] = Ops::add(acc[i][0], Ops::mul(ai, b0));
      acc[i][1] = Ops::add(acc[i][1], Ops::mul(ai, b1));
    }
  }
  for (int i = 0; i < kRows; ++i) {
    T* row = c + i * ldc;
    if (accumulate) {
      acc[i][0] = Ops::add(wasm_v128_load(row), acc[i][0]);
      acc[i][1] = Ops::add(wasm_v128_load(row + w), acc[i][1]);
    }
    wasm_v128_store(row, acc[i][0]);
    wasm_v128_store(row + w, acc[i][1]);
  }
}
}  // namespace

MicroKernel<float> wasmSimd128KernelF32() { return {kRows, 2 * F32Ops::kLanes, kernel<F32Ops>}; }
MicroKernel<double> wasmSimd128KernelF64() { return {kRows, 2 * F64Ops::kLanes, kernel<F64Ops>}; }

}  // namespace nabla
#endif
