// The elementwise loops for the architecture's baseline (SSE2 on x86-64, NEON on arm64, as the
// compiler vectorises them), and the choice of level for this CPU.
#include "../cpu.h"
#include "elementwise-loops-impl.h"

namespace nabla {

const ElementwiseLoops& elementwiseLoopsPortable() {
  static constexpr ElementwiseLoops loops = makeLoops("portable");
  return loops;
}

const ElementwiseLoops& elementwiseLoops() {
  static const ElementwiseLoops& chosen = []() -> const ElementwiseLoops& {
#if defined(__x86_64__) || defined(_M_X64)
    switch (detectSimd()) {
      case Simd::Avx512: return elementwiseLoopsAvx512();
      case Simd::Avx2: return elementwiseLoopsAvx2();
      default: break;
    }
#endif
#if defined(__wasm_simd128__)
    // Chosen at compile time, as the GEMM's kernel: a module built with -msimd128 only loads
    // where the host has SIMD.
    return elementwiseLoopsWasmSimd128();
#endif
    return elementwiseLoopsPortable();
  }();
  return chosen;
}

}  // namespace nabla
