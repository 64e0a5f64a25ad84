// The random primitive's kernel (src/ops/primitives/random.ts defines the streams).
#pragma once

#include "kernel-call.h"

namespace nabla {

/**
 * op: the distribution (0 uniform, 1 normal, 2 truncated normal, 3 integers); buffers: the
 * output; words: the stream's two 32-bit keys, then min and max (uniform, integers) or mean and
 * standard deviation (normals).
 */
void randomEntry(const KernelCall& call);

}  // namespace nabla
