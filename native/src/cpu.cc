#include "cpu.h"

#include <cstdlib>
#include <cstring>

namespace nabla {

namespace {
Simd hardwareSimd() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  // bw and vl for the elementwise loops; every CPU with avx512dq so far has them.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl"))
    return Simd::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Simd::Avx2;
  return Simd::Scalar;
#elif defined(__aarch64__) || defined(_M_ARM64)
  return Simd::Neon;
#else
  return Simd::Scalar;
#endif
}
}  // namespace

Simd detectSimd() {
  Simd hw = hardwareSimd();
  const char* env = std::getenv("NABLA_SIMD");
  if (!env) return hw;
  // Only ever lower the level: asking for more than the CPU has would crash.
  if (std::strcmp(env, "scalar") == 0) return Simd::Scalar;
  if (std::strcmp(env, "avx2") == 0 && hw == Simd::Avx512) return Simd::Avx2;
  return hw;
}

const char* simdName(Simd s) {
  switch (s) {
    case Simd::Avx512: return "avx512";
    case Simd::Avx2: return "avx2";
    case Simd::Neon: return "neon";
    case Simd::Scalar: break;
  }
  return "scalar";
}

}  // namespace nabla
