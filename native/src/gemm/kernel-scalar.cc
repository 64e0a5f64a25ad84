// Portable micro-kernels: plain loops the compiler can vectorise for the baseline target.
#include "micro-kernel.h"

namespace nabla {

namespace {
template <typename T, int MR, int NR>
void scalarKernel(std::int64_t k, const T* a, const T* b, T* c, std::int64_t ldc, bool accumulate) {
  T acc[MR][NR] = {};
  for (std::int64_t p = 0; p < k; ++p) {
    for (int i = 0; i < MR; ++i) {
      T ai = a[p * MR + i];
      for (int j = 0; j < NR; ++j) acc[i][j] += ai * b[p * NR + j];
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}
}  // namespace

MicroKernel<float> scalarKernelF32() { return {4, 8, scalarKernel<float, 4, 8>}; }
MicroKernel<double> scalarKernelF64() { return {4, 4, scalarKernel<double, 4, 4>}; }

}  // namespace nabla
