// Softmax over the last axis in one kernel (the jit's softmaxRows op, made of the composed
// softmax of inference graphs by src/jit/passes/softmax-rows.ts).
#pragma once

#include "common.h"

namespace nabla {

/**
 * out[r, :] = softmax(x[r, :]) for rows x cols (float32 or float64), in cache-sized blocks of
 * rows: per row the maximum, the shift (the maximum, or 0 where it is -Infinity or NaN), x minus
 * it, exp, the sum and the division, each with the rounding and order of the separate kernels
 * (max, where, sub, exp, sum, div) that the composed softmax runs, so the bits are theirs.
 */
void softmaxRows(const Buffer& x, const Buffer& out, i64 rows, i64 cols);

}  // namespace nabla
