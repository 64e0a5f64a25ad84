#include "strided-plan.h"

#include <string>

namespace nabla {

namespace {
std::string fmt(const std::vector<i64>& s) {
  std::string r = "[";
  for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}
}  // namespace

std::vector<i64> broadcastStrides(const std::vector<i64>& shape, const std::vector<i64>& outShape, const char* op) {
  if (shape.size() > outShape.size())
    throw InputError(std::string(op) + ": shape " + fmt(shape) + " has more dims than the output " + fmt(outShape));
  std::vector<i64> strides(outShape.size(), 0);
  std::size_t lead = outShape.size() - shape.size();
  i64 acc = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    i64 d = shape[i], o = outShape[lead + i];
    if (d != o && d != 1)
      throw InputError(std::string(op) + ": shape " + fmt(shape) + " does not broadcast to " + fmt(outShape));
    strides[lead + i] = d == 1 ? 0 : acc;
    acc *= d;
  }
  return strides;
}

StridedPlan makePlan(const std::vector<i64>& outShape, const std::vector<std::vector<i64>>& operandStrides) {
  StridedPlan plan;
  plan.operands = static_cast<int>(operandStrides.size());
  if (plan.operands > kMaxOperands) throw InputError("too many operands");
  if (outShape.size() > static_cast<std::size_t>(kMaxRank)) throw InputError("rank above 64 is not supported");
  for (std::size_t d = 0; d < outShape.size(); ++d) {
    i64 size = outShape[d];
    if (size == 1) continue;
    int r = plan.rank;
    bool merge = r > 0;
    for (int k = 0; k < plan.operands && merge; ++k)
      merge = plan.strides[k][r - 1] == operandStrides[k][d] * size;
    if (merge) {
      plan.shape[r - 1] *= size;
      for (int k = 0; k < plan.operands; ++k) plan.strides[k][r - 1] = operandStrides[k][d];
      continue;
    }
    plan.shape[r] = size;
    for (int k = 0; k < plan.operands; ++k) plan.strides[k][r] = operandStrides[k][d];
    plan.rank = r + 1;
  }
  return plan;
}

}  // namespace nabla
