// Iteration over the elements of a row-major output whose operands are broadcast or strided
// views: dims are merged where every operand allows it, and the innermost dim runs as a tight
// loop over segments.
#pragma once

#include <cstdint>
#include <vector>

#include "common.h"

namespace nabla {

constexpr int kMaxRank = 64;
constexpr int kMaxOperands = 4;

/** Shape of the output plus, per operand, its element strides over that shape (0 = broadcast). */
struct StridedPlan {
  int rank = 0;
  int operands = 0;
  i64 shape[kMaxRank];
  i64 strides[kMaxOperands][kMaxRank];
  i64 size() const {
    i64 n = 1;
    for (int d = 0; d < rank; ++d) n *= shape[d];
    return n;
  }
};

/** Row-major strides of `shape` broadcast (numpy rules) to `outShape`; throws on mismatch. */
std::vector<i64> broadcastStrides(const std::vector<i64>& shape, const std::vector<i64>& outShape, const char* op);

/** Build a plan over outShape from per-operand strides, dropping size-1 dims and merging others. */
StridedPlan makePlan(const std::vector<i64>& outShape, const std::vector<std::vector<i64>>& operandStrides);

/**
 * Visit output elements [begin, end) of the plan in row-major order as segments of the innermost
 * dim: fn(outIndex, offsets, length), where offsets[k] is operand k's element offset at the
 * segment start and operand k advances by plan.strides[k][rank-1] per element.
 */
template <typename F> void forEachSegment(const StridedPlan& plan, i64 begin, i64 end, F&& fn) {
  if (begin >= end) return;
  const int rank = plan.rank;
  i64 offs[kMaxOperands] = {0, 0, 0, 0};
  if (rank == 0) {
    fn(begin, offs, end - begin);
    return;
  }
  const i64 inner = plan.shape[rank - 1];
  i64 idx[kMaxRank];
  i64 row = begin / inner, j = begin % inner;
  for (int d = rank - 2; d >= 0; --d) {
    idx[d] = row % plan.shape[d];
    row /= plan.shape[d];
  }
  i64 base[kMaxOperands];
  for (int k = 0; k < plan.operands; ++k) {
    base[k] = 0;
    for (int d = 0; d < rank - 1; ++d) base[k] += idx[d] * plan.strides[k][d];
  }
  i64 pos = begin;
  while (pos < end) {
    i64 len = inner - j < end - pos ? inner - j : end - pos;
    for (int k = 0; k < plan.operands; ++k) offs[k] = base[k] + j * plan.strides[k][rank - 1];
    fn(pos, offs, len);
    pos += len;
    j = 0;
    for (int d = rank - 2; d >= 0; --d) {
      ++idx[d];
      for (int k = 0; k < plan.operands; ++k) base[k] += plan.strides[k][d];
      if (idx[d] < plan.shape[d]) break;
      for (int k = 0; k < plan.operands; ++k) base[k] -= plan.strides[k][d] * plan.shape[d];
      idx[d] = 0;
    }
  }
}

}  // namespace nabla
