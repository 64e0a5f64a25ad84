// NEON micro-kernels for arm64 (compiled only there). 8 rows x 2 quad vectors of float32
// (16 accumulators of the 32 q registers); 4 rows x 4 quad vectors of float64.
#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>

#include "micro-kernel.h"

namespace nabla {

namespace {
void kernelF32(std::int64_t k, const float* a, const float* b, float* c, std::int64_t ldc, bool accumulate) {
  float32x4_t acc[8][2];
  for (int i = 0; i < 8; ++i) acc[i][0] = acc[i][1] = vdupq_n_f32(0.f);
  for (std::int64_t p = 0; p < k; ++p) {
    float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4);
    float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
    acc[0][0] = vfmaq_laneq_f32(acc[0][0], b0, a0, 0);
    acc[0][1] = vfmaq_laneq_f32(acc[0][1], b1, a0, 0);
    acc[1][0] = vfmaq_laneq_f32(acc[1][0], b0, a0, 1);
    acc[1][1] = vfmaq_laneq_f32(acc[1][1], b1, a0, 1);
    acc[2][0] = vfmaq_laneq_f32(acc[2][0], b0, a0, 2);
    acc[2][1] = vfmaq_laneq_f32(acc[2][1], b1, a0, 2);
    acc[3][0] = vfmaq_laneq_f32(acc[3][0], b0, a0, 3);
    acc[3][1] = vfmaq_laneq_f32(acc[3][1], b1, a0, 3);
    acc[4][0] = vfmaq_laneq_f32(acc[4][0], b0, a1, 0);
    acc[4][1] = vfmaq_laneq_f32(acc[4][1], b1, a1, 0);
    acc[5][0] = vfmaq_laneq_f32(acc[5][0], b0, a1, 1);
    acc[5][1] = vfmaq_laneq_f32(acc[5][1], b1, a1, 1);
    acc[6][0] = vfmaq_laneq_f32(acc[6][0], b0, a1, 2);
    acc[6][1] = vfmaq_laneq_f32(acc[6][1], b1, a1, 2);
    acc[7][0] = vfmaq_laneq_f32(acc[7][0], b0, a1, 3);
    acc[7][1] = vfmaq_laneq_f32(acc[7][1], b1, a1, 3);
    a += 8;
    b += 8;
  }
  for (int i = 0; i < 8; ++i) {
    float* row = c + i * ldc;
    if (accumulate) {
      acc[i][0] = vaddq_f32(acc[i][0], vld1q_f32(row));
      acc[i][1] = vaddq_f32(acc[i][1], vld1q_f32(row + 4));
    }
    vst1q_f32(row, acc[i][0]);
    vst1q_f32(row + 4, acc[i][1]);
  }
}

void kernelF64(std::int64_t k, const double* a, const double* b, double* c, std::int64_t ldc, bool accumulate) {
  float64x2_t acc[4][4];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) acc[i][j] = vdupq_n_f64(0.0);
  for (std::int64_t p = 0; p < k; ++p) {
    float64x2_t bv[4] = {vld1q_f64(b), vld1q_f64(b + 2), vld1q_f64(b + 4), vld1q_f64(b + 6)};
    float64x2_t a01 = vld1q_f64(a), a23 = vld1q_f64(a + 2);
    for (int j = 0; j < 4; ++j) {
      acc[0][j] = vfmaq_laneq_f64(acc[0][j], bv[j], a01, 0);
      acc[1][j] = vfmaq_laneq_f64(acc[1][j], bv[j], a01, 1);
      acc[2][j] = vfmaq_laneq_f64(acc[2][j], bv[j], a23, 0);
      acc[3][j] = vfmaq_laneq_f64(acc[3][j], bv[j], a23, 1);
    }
    a += 4;
    b += 8;
  }
  for (int i = 0; i < 4; ++i) {
    double* row = c + i * ldc;
    for (int j = 0; j < 4; ++j) {
      float64x2_t v = accumulate ? vaddq_f64(acc[i][j], vld1q_f64(row + 2 * j)) : acc[i][j];
      vst1q_f64(row + 2 * j, v);
    }
  }
}
}  // namespace

MicroKernel<float> neonKernelF32() { return {8, 8, kernelF32}; }
MicroKernel<double> neonKernelF64() { return {4, 8, kernelF64}; }

}  // namespace nabla
#endif
