// The elementwise loops compiled with -mavx512f/dq/bw/vl (binding.gyp); chosen only when cpuid
// has them.
#if defined(__x86_64__) || defined(_M_X64)
#include "elementwise-loops-impl.h"

namespace nabla {

const ElementwiseLoops& elementwiseLoopsAvx512() {
  static constexpr ElementwiseLoops loops = makeLoops("avx512");
  return loops;
}

}  // namespace nabla
#endif
