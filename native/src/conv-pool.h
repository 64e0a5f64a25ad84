// conv2d → bias → activation → pool over the batch in pieces that fit the cache: the jit's
// fusedConvPool (src/jit/conv-pool-op.ts). A CNN's first conv at batch 256 writes tens of MB
// that the bias/activation pass and the pool then stream back from memory; per piece, the
// conv's output stays in L2 between the three steps.
#pragma once

#include <vector>

#include "common.h"

namespace nabla {

/**
 * act: a unary op code or -1. x, filter, bias (read only when hasBias), packed: the filter
 * prepacked for the GEMM or Winograd (prepacked.h) or null, out: the pooled output.
 * convParams: conv2d's 19 integers (window-kernels.h), poolParams: pool2d's 14 over the conv's
 * output, poolMode: PoolMode::Max or PoolMode::Avg. Each step runs the same kernel as the unfused
 * graph, on whole images, with the conv algorithm the whole batch would get, so results are the
 * unfused path's bits.
 */
void convPool(int act, const Buffer& x, const Buffer& filter, const Buffer& bias, bool hasBias, const Buffer* packed, const Buffer& out,
              const std::vector<i64>& convParams, const std::vector<i64>& poolParams, int poolMode);

}  // namespace nabla
