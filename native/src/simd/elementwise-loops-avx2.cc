// The elementwise loops compiled with -mavx2 (binding.gyp); chosen only when cpuid has AVX2.
#if defined(__x86_64__) || defined(_M_X64)
#include "elementwise-loops-impl.h"

namespace nabla {

const ElementwiseLoops& elementwiseLoopsAvx2() {
  static constexpr ElementwiseLoops loops = makeLoops("avx2");
  return loops;
}

}  // namespace nabla
#endif
