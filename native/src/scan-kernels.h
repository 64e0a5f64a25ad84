// Entry points of the kernels that run along one axis of a tensor, line by line: cumsum and
// cumprod (src/ops/primitives/cumulative.ts) and argsort (src/ops/primitives/sort.ts). Each
// reproduces its reference kernel bit for bit and writes every element of its output.
#pragma once

#include <string>

#include "kernel-call.h"

namespace nabla {

/**
 * Op 0 cumsum, op 1 cumprod. Buffers: x, output (x's dtype: float32, float64 or int32).
 * Words: x's shape, axis, exclusive (0/1), reverse (0/1).
 */
void scanEntry(const KernelCall& call);

/** Buffers: x (float32, float64 or int32), output (int32). Words: x's shape, axis, descending (0/1). */
void argsortEntry(const KernelCall& call);

/** A tensor seen as [outer, length, inner] around the axis its lines run along. */
struct AxisLines {
  i64 outer = 1;
  i64 length = 1;
  i64 inner = 1;
  i64 count() const { return outer * inner; }
};

/** The lines of `shape` along `axis`; throws, naming `op`, if the axis is out of range. */
AxisLines axisLines(const char* op, const Shape& shape, i64 axis);

/** Throw unless `b` is float32, float64 or int32 (the dtypes the line kernels take). */
void expectNumeric(const Buffer& b, const char* op, const char* what);

/** A 0/1 flag word, read and checked. */
bool flagWord(WordCursor& w, const char* op, const char* what);

}  // namespace nabla
