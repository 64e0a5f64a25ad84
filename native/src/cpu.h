// Which SIMD instruction set the GEMM micro-kernels, the convolution tiles and the float32
// elementwise loops use, chosen once at run time.
#pragma once

namespace nabla {

enum class Simd { Scalar = 0, Avx2 = 1, Avx512 = 2, Neon = 3 };

/** The best level this CPU supports, lowered by NABLA_SIMD=avx2|scalar (for testing other paths). */
Simd detectSimd();

const char* simdName(Simd s);

}  // namespace nabla
