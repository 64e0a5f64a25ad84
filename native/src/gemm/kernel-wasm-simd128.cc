// WebAssembly SIMD (128-bit) micro-kernels, compiled only for wasm with -msimd128. wasm SIMD has
// no fused multiply-add, so each step is a multiply then an add (the scalar kernel's rounding).
// float32: 4 rows x 2 vectors of 4 (8 accumulators, 2 of B, a broadcast of A and a product, well
// inside the 16 vector registers V8 allocates from on x86-64, one of them its scratch); 6 rows was
// no faster in A/B runs on the loaded 2-core build machine. float64: 4 rows x 2 vectors of 2.
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "micro-kernel.h"

namespace nabla {

namespace {
void kernelF32(std::int64_t k, const float* a, const float* b, float* c, std::int64_t ldc, bool accumulate) {
  v128_t acc[4][2];
  for (int i = 0; i < 4; ++i) acc[i][0] = acc[i][1] = wasm_f32x4_splat(0.f);
  for (std::int64_t p = 0; p < k; ++p) {
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    for (int i = 0; i < 4; ++i) {
      const v128_t ai = wasm_v128_load32_splat(a + i);
      acc[i][0] = wasm_f32x4_add(acc[i][0], wasm_f32x4_mul(ai, b0));
      acc[i][1] = wasm_f32x4_add(acc[i][1], wasm_f32x4_mul(ai, b1));
    }
    a += 4;
    b += 8;
  }
  for (int i = 0; i < 4; ++i) {
    float* row = c + i * ldc;
    if (accumulate) {
      acc[i][0] = wasm_f32x4_add(wasm_v128_load(row), acc[i][0]);
      acc[i][1] = wasm_f32x4_add(wasm_v128_load(row + 4), acc[i][1]);
    }
    wasm_v128_store(row, acc[i][0]);
    wasm_v128_store(row + 4, acc[i][1]);
  }
}

void kernelF64(std::int64_t k, const double* a, const double* b, double* c, std::int64_t ldc, bool accumulate) {
  v128_t acc[4][2];
  for (int i = 0; i < 4; ++i) acc[i][0] = acc[i][1] = wasm_f64x2_splat(0.0);
  for (std::int64_t p = 0; p < k; ++p) {
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 2);
    for (int i = 0; i < 4; ++i) {
      const v128_t ai = wasm_v128_load64_splat(a + i);
      acc[i][0] = wasm_f64x2_add(acc[i][0], wasm_f64x2_mul(ai, b0));
      acc[i][1] = wasm_f64x2_add(acc[i][1], wasm_f64x2_mul(ai, b1));
    }
    a += 4;
    b += 4;
  }
  for (int i = 0; i < 4; ++i) {
    double* row = c + i * ldc;
    if (accumulate) {
      acc[i][0] = wasm_f64x2_add(wasm_v128_load(row), acc[i][0]);
      acc[i][1] = wasm_f64x2_add(wasm_v128_load(row + 2), acc[i][1]);
    }
    wasm_v128_store(row, acc[i][0]);
    wasm_v128_store(row + 2, acc[i][1]);
  }
}
}  // namespace

MicroKernel<float> wasmSimd128KernelF32() { return {4, 8, kernelF32}; }
MicroKernel<double> wasmSimd128KernelF64() { return {4, 4, kernelF64}; }

}  // namespace nabla
#endif
