// Every op code the kernels switch on, each family in one X-macro list: the order of a list is
// its codes. The enums, the name tables the addon hands to JS (opNames(): JS looks codes up by
// name, never by number) and the kernel entry table are all expanded from these lists, so a new
// op is one line in its list plus its `case` where the kernel computes it. The N-API binding, the plan
// interpreter and the wasm build share them.
#pragma once

#include <vector>

#include "unary-ops.h"  // NABLA_UNARY_OPS, with each op's scalar form

// Binary elementwise ops (binary.ts), then the comparisons (compare.ts: bool results) from `equal` on.
#define NABLA_BINARY_OPS(X) \
  X(add) X(sub) X(mul) X(div) X(floorDiv) X(mod) X(pow) X(maximum) X(minimum) X(atan2) \
  X(equal) X(notEqual) X(less) X(lessEqual) X(greater) X(greaterEqual) X(logicalAnd) X(logicalOr)

#define NABLA_REDUCE_OPS(X) X(sum) X(prod) X(max) X(min) X(all) X(any)
#define NABLA_ARG_OPS(X) X(argmax) X(argmin)
// The ops of the gather entry, the indexND entry and the scan entry.
#define NABLA_GATHER_OPS(X) X(gather) X(unsortedSegmentSum)
#define NABLA_INDEX_ND_OPS(X) X(gatherND) X(scatterND) X(tensorScatterUpdate)
#define NABLA_SCAN_OPS(X) X(cumsum) X(cumprod)
// The ops of the linalg entry and the fft entry (native/src/linalg/linalg-kernels.h).
#define NABLA_LINALG_OPS(X) X(cholesky) X(triangularSolve) X(qr) X(lu)
#define NABLA_FFT_OPS(X) X(fft) X(rfft) X(irfft)

// The kernel entries: X(name, takes an op code, which buffer it writes (-1: the last)).
#define NABLA_KERNEL_ENTRIES(X)                                                                             \
  X(unary, true, -1) X(binary, true, -1) X(where, false, -1) X(cast, false, -1) X(materialize, false, -1)   \
  X(reduce, true, -1) X(argReduce, true, -1) X(matmul, false, -1) X(conv2d, true, -1) X(pool2d, true, -1) \
  X(fusedElementwise, false, 0) X(gather, true, -1) X(indexND, true, -1) X(concat, false, -1)             \
  X(pad, false, -1) X(biasActivation, true, 0) X(random, true, -1) X(scan, true, -1) X(argsort, false, -1)  \
  X(linalg, true, -1) X(fft, true, -1) X(prepacked, true, -1) X(convPool, true, -1) \
  X(softmaxRows, false, -1)

namespace nabla {

#define NABLA_ENUMERATOR(name, ...) name,
#define NABLA_NAME(name, ...) #name,
#define NABLA_OP_FAMILY(Enum, LIST, names)                      \
  enum class Enum : int { LIST(NABLA_ENUMERATOR) kCount };     \
  inline const std::vector<const char*>& names() {              \
    static const std::vector<const char*> n = {LIST(NABLA_NAME)}; \
    return n;                                                   \
  }

NABLA_OP_FAMILY(UnaryOp, NABLA_UNARY_OPS, unaryOpNames)
NABLA_OP_FAMILY(BinaryOp, NABLA_BINARY_OPS, binaryOpNames)
NABLA_OP_FAMILY(ReduceOp, NABLA_REDUCE_OPS, reduceOpNames)
NABLA_OP_FAMILY(ArgOp, NABLA_ARG_OPS, argOpNames)
NABLA_OP_FAMILY(GatherOp, NABLA_GATHER_OPS, gatherOpNames)
NABLA_OP_FAMILY(IndexNDOp, NABLA_INDEX_ND_OPS, indexNDOpNames)
NABLA_OP_FAMILY(ScanOp, NABLA_SCAN_OPS, scanOpNames)
NABLA_OP_FAMILY(LinalgOp, NABLA_LINALG_OPS, linalgOpNames)
NABLA_OP_FAMILY(FftOp, NABLA_FFT_OPS, fftOpNames)

#undef NABLA_OP_FAMILY
#undef NABLA_NAME
#undef NABLA_ENUMERATOR

/** A family's name as JS knows it (NativeAddon.opNames()) and its ops' names in code order. */
struct OpFamily {
  const char* name;
  const std::vector<const char*>& (*names)();
};

/** Every op family, for the binding and the wasm entry to hand JS by name. */
inline const std::vector<OpFamily>& opFamilies() {
  static const std::vector<OpFamily> families = {
      {"unary", unaryOpNames},   {"binary", binaryOpNames},   {"reduce", reduceOpNames}, {"arg", argOpNames},
      {"gather", gatherOpNames}, {"indexND", indexNDOpNames}, {"scan", scanOpNames},
      {"linalg", linalgOpNames}, {"fft", fftOpNames}};
  return families;
}

/** The code of an op (its place in its list). */
template <typename E> constexpr int code(E op) { return static_cast<int>(op); }
/** Whether `op` is a valid code of family E. */
template <typename E> constexpr bool validCode(int op) { return op >= 0 && op < code(E::kCount); }

/** Binary codes from here on are comparisons. */
constexpr int kFirstCompare = code(BinaryOp::equal);

#define NABLA_COUNT_ENTRY(name, takesOp, outputIndex) +1
/** How many kernel entries the addon has. */
constexpr int kEntryCount = 0 NABLA_KERNEL_ENTRIES(NABLA_COUNT_ENTRY);
#undef NABLA_COUNT_ENTRY

}  // namespace nabla
