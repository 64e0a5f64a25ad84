// Entry points of the addon's kernels. Buffers are validated by the binding (addon.cc) before
// they get here; shapes are validated here, against the buffers' lengths.
#pragma once

#include <vector>

#include "common.h"
#include "op-codes.h"

namespace nabla {

using Shape = std::vector<i64>;

void unary(int op, const Buffer& x, const Buffer& out);
void binary(int op, const Buffer& a, const Shape& aShape, const Buffer& b, const Shape& bShape, const Buffer& out,
            const Shape& outShape);
void where(const Buffer& c, const Shape& cShape, const Buffer& a, const Shape& aShape, const Buffer& b,
           const Shape& bShape, const Buffer& out, const Shape& outShape);
void cast(const Buffer& x, const Buffer& out);
void materialize(const Buffer& src, const Shape& shape, const Shape& strides, i64 offset, const Buffer& out);
void reduce(int op, const Buffer& x, const Shape& shape, const std::vector<bool>& reduced, const Buffer& out);
void argReduce(int op, const Buffer& x, const Shape& shape, int axis, const Buffer& out);
void matmul(const Buffer& a, const Shape& aShape, const Buffer& b, const Shape& bShape, bool transposeA,
            bool transposeB, const Buffer& out);

/** Elements of a shape, throwing if the product overflows. */
i64 elementCount(const Shape& shape, const char* op);
/** Throw unless buf holds exactly `count` elements of its dtype. */
void expectLength(const Buffer& buf, i64 count, const char* op, const char* what);

}  // namespace nabla
