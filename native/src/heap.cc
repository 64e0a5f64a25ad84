#include "heap.h"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nabla {

void keepFreedTensorMemory() {
#if defined(__GLIBC__)
  const char* env = std::getenv("NABLA_HEAP_TUNING");
  if (env && std::strcmp(env, "0") == 0) return;
  // Blocks up to 256 MiB come from the heap (not mmap), and up to 1 GiB of free heap top is kept
  // instead of being returned to the kernel after each collection.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
#endif
}

}  // namespace nabla
