// gather and its transpose unsortedSegmentSum (src/ops/primitives/indexing.ts). Both view their
// tensors as [batch, outer, positions, inner]; threads each own a range of the output, so every
// output element is summed in the reference's order whatever the thread count.
#include <algorithm>
#include <string>

#include "index-kernels.h"

namespace nabla {

std::string shapeText(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

InputError indexOutOfRange(const char* op, std::int32_t value, i64 flatPos, const Shape& indicesShape, i64 size,
                           const std::string& where) {
  std::string pos;
  if (!indicesShape.empty()) {
    Shape at(indicesShape.size());
    for (std::size_t d = indicesShape.size(); d-- > 0;) {
      const i64 n = indicesShape[d];
      at[d] = n == 0 ? 0 : flatPos % n;
      flatPos = n == 0 ? 0 : flatPos / n;
    }
    pos = " at indices" + shapeText(at);
  }
  const std::string range =
      size == 0 ? "no valid index (the axis is empty)" : "expected an integer in [0, " + std::to_string(size - 1) + "]";
  return InputError(std::string(op) + ": index " + std::to_string(value) + pos + " is out of range for " + where +
                    " (size " + std::to_string(size) + "); " + range);
}

void expectDType(const Buffer& b, DType want, const char* op, const char* what) {
  if (b.dtype != want)
    throw InputError(std::string(op) + ": " + what + " must be " + dtypeName(want) + ", got " + dtypeName(b.dtype));
}

namespace {

struct GatherPlan {
  i64 batch = 1;
  i64 outer = 1;
  i64 perBatch = 1;
  i64 inner = 1;
};

Shape dims(const Shape& s, i64 from, i64 to) { return Shape(s.begin() + from, s.begin() + to); }

/** x: the gathered tensor (gather) or the data (segment sum); checks axis and batchDims as indexing.ts does. */
void checkBatchDims(const char* op, const Shape& x, const Shape& indices, i64 axis, i64 batchDims, i64 maxAxis) {
  if (axis < 0 || axis > maxAxis)
    throw InputError(std::string(op) + ": axis " + std::to_string(axis) + " is out of range for shape " + shapeText(x));
  if (batchDims < 0 || batchDims > axis || batchDims > static_cast<i64>(indices.size()))
    throw InputError(std::string(op) + ": batchDims " + std::to_string(batchDims) + " must be in [0, min(axis " +
                     std::to_string(axis) + ", indices rank " + std::to_string(indices.size()) + ")]");
  for (i64 d = 0; d < batchDims; ++d)
    if (x[d] != indices[d])
      throw InputError(std::string(op) + ": the first " + std::to_string(batchDims) + " (batchDims) dimensions of " +
                       shapeText(x) + " and indices " + shapeText(indices) + " must match");
}

GatherPlan planOf(const char* op, const Shape& x, const Shape& indices, i64 axis, i64 batchDims, i64 innerFrom) {
  GatherPlan p;
  p.batch = elementCount(dims(x, 0, batchDims), op);
  p.outer = elementCount(dims(x, batchDims, axis), op);
  p.perBatch = elementCount(dims(indices, batchDims, static_cast<i64>(indices.size())), op);
  p.inner = elementCount(dims(x, innerFrom, static_cast<i64>(x.size())), op);
  return p;
}

void gather(const KernelCall& c) {
  const char* op = "gather";
  WordCursor w(c);
  const Shape xShape = w.shape("x shape"), idxShape = w.shape("indices shape");
  const i64 axis = w.integer("axis"), batchDims = w.integer("batchDims");
  checkBatchDims(op, xShape, idxShape, axis, batchDims, static_cast<i64>(xShape.size()) - 1);
  const Buffer &x = c.buffer(0, "x"), &indices = c.buffer(1, "indices"), &out = c.buffer(2, "output");
  expectDType(indices, DType::I32, op, "indices");
  if (out.dtype != x.dtype) throw InputError("gather: x and the output must share a dtype");
  const GatherPlan p = planOf(op, xShape, idxShape, axis, batchDims, axis + 1);
  const i64 n = xShape[axis];
  expectLength(x, elementCount(xShape, op), op, "x");
  expectLength(indices, elementCount(idxShape, op), op, "indices");
  const i64 total = elementCount({p.batch, p.outer, p.perBatch, p.inner}, op);
  expectLength(out, total, op, "output");

  const std::int32_t* idx = indices.as<std::int32_t>();
  for (i64 i = 0; i < indices.length; ++i)
    if (idx[i] < 0 || idx[i] >= n)
      throw indexOutOfRange(op, idx[i], i, idxShape, n, "axis " + std::to_string(axis) + " of x " + shapeText(xShape));
  if (total == 0) return;

  withElementBits(x.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* src = x.as<T>();
    T* dst = out.as<T>();
    forOutputRanges(total, total, [&](i64 lo, i64 hi) {
      // Output slice s = (row, position i); walk them in order without a division per slice.
      i64 s = lo / p.inner, i = s % p.perBatch, row = s / p.perBatch;
      for (; s * p.inner < hi; ++s) {
        const i64 start = std::max(lo, s * p.inner), end = std::min(hi, (s + 1) * p.inner);
        const i64 from = (row * n + idx[(row / p.outer) * p.perBatch + i]) * p.inner + (start - s * p.inner);
        copyElements(dst + start, src + from, end - start);
        if (++i == p.perBatch) {
          i = 0;
          ++row;
        }
      }
    });
  });
}

void unsortedSegmentSum(const KernelCall& c) {
  const char* op = "unsortedSegmentSum";
  WordCursor w(c);
  const Shape dataShape = w.shape("data shape"), idsShape = w.shape("segment ids shape");
  const i64 axis = w.integer("axis"), batchDims = w.integer("batchDims"), segments = w.integer("numSegments");
  checkBatchDims(op, dataShape, idsShape, axis, batchDims, static_cast<i64>(dataShape.size()));
  const i64 end = axis + static_cast<i64>(idsShape.size()) - batchDims;
  if (end > static_cast<i64>(dataShape.size()) || !std::equal(idsShape.begin() + batchDims, idsShape.end(), dataShape.begin() + axis))
    throw InputError("unsortedSegmentSum: segment ids " + shapeText(idsShape) + " must match data " + shapeText(dataShape) +
                     " at dimensions " + std::to_string(axis) + ".." + std::to_string(end - 1));
  if (segments < 0) throw InputError("unsortedSegmentSum: numSegments must be non-negative, got " + std::to_string(segments));
  const Buffer &data = c.buffer(0, "data"), &ids = c.buffer(1, "segment ids"), &out = c.buffer(2, "output");
  expectDType(ids, DType::I32, op, "segment ids");
  if (out.dtype != data.dtype) throw InputError("unsortedSegmentSum: data and the output must share a dtype");
  if (data.dtype == DType::Bool) throw InputError("unsortedSegmentSum: expected numeric data, got bool");
  const GatherPlan p = planOf(op, dataShape, idsShape, axis, batchDims, end);
  expectLength(data, elementCount(dataShape, op), op, "data");
  expectLength(ids, elementCount(idsShape, op), op, "segment ids");
  const i64 rowLength = elementCount({segments, p.inner}, op);
  const i64 total = elementCount({p.batch, p.outer, rowLength}, op);
  expectLength(out, total, op, "output");

  const std::int32_t* seg = ids.as<std::int32_t>();
  for (i64 i = 0; i < ids.length; ++i)
    if (seg[i] >= segments) throw indexOutOfRange(op, seg[i], i, idsShape, segments, "the segments");
  if (total == 0) return;

  // A thread scans the ids of every row it touches; with one row of narrow slices every thread
  // would scan all of them for a small share of the sums, so that case stays on one thread.
  const i64 work = p.batch * p.outer > 1 || p.inner >= 32 ? total + data.length : 0;
  withType(data.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* src = data.as<T>();
    T* dst = out.as<T>();
    forOutputRanges(total, work, [&](i64 lo, i64 hi) {
      std::fill(dst + lo, dst + hi, T(0));
      for (i64 row = lo / rowLength; row * rowLength < hi; ++row) {
        const i64 rowLo = std::max(lo, row * rowLength), rowHi = std::min(hi, (row + 1) * rowLength);
        const std::int32_t* rowIds = seg + (row / p.outer) * p.perBatch;
        for (i64 i = 0; i < p.perBatch; ++i) {
          if (rowIds[i] < 0) continue;
          const i64 to = row * rowLength + rowIds[i] * p.inner;
          const i64 a = std::max(rowLo, to), b = std::min(rowHi, to + p.inner);
          const i64 shift = (row * p.perBatch + i) * p.inner - to;  // source index minus output index
          for (i64 k = a; k < b; ++k) addInto(dst[k], src[k + shift]);
        }
      }
    });
    return 0;
  });
}

}  // namespace

void gatherEntry(const KernelCall& call) {
  switch (static_cast<GatherOp>(call.op)) {
    case GatherOp::gather: gather(call); return;
    case GatherOp::unsortedSegmentSum: unsortedSegmentSum(call); return;
    default: throw InputError("gather: unknown op " + std::to_string(call.op));
  }
}

}  // namespace nabla
