// The float32 elementwise loops over contiguous runs (the hot loops of the unary, binary, where
// and reduce kernels and of the jit's fused chains), compiled once per instruction set
// (elementwise-loops-{portable,avx2,avx512}.cc from elementwise-loops-impl.h; for the wasm module
// elementwise-loops-wasm-simd128.cc) and chosen once at run time from cpuid and NABLA_SIMD. Every
// level computes the same IEEE operations in the same order (no fused multiply-adds, no
// reassociation), so all levels give the same bits.
#pragma once

#include <cstdint>

#include "../common.h"
#include "../op-codes.h"

namespace nabla {

/** Which operands are arrays: both, the first (the second is one value), the second (the first is one value). */
enum Operands : int { kBothArrays = 0, kFirstArray = 1, kSecondArray = 2, kOperandModes = 3 };

constexpr int kUnaryLoops = 9;    // neg abs sqrt square reciprocal relu exp sigmoid tanh
constexpr int kBinaryLoops = 6;   // add sub mul div maximum minimum
constexpr int kCompareLoops = 6;  // equal notEqual less lessEqual greater greaterEqual

/**
 * Rows shorter than this stay in the inline loops of the broadcasting kernels (binary, where,
 * reduce): the call and the vector loop's set-up cost more than they save (measured: rows of 10
 * took twice as long). Unary kernels and the fused chains run whole tiles or arrays through the
 * loops.
 */
constexpr i64 kMinLoopRun = 64;

template <typename Out> using PairLoop = void (*)(const float* a, const float* b, Out* y, i64 n);
using SelectLoop = void (*)(const std::uint8_t* cond, const std::uint32_t* a, const std::uint32_t* b, std::uint32_t* y, i64 n);

struct ElementwiseLoops {
  const char* level;
  void (*unary[kUnaryLoops])(const float* x, float* y, i64 n);
  PairLoop<float> binary[kBinaryLoops][kOperandModes];
  PairLoop<std::uint8_t> compare[kCompareLoops][kOperandModes];
  /** Bits of a where cond is nonzero, else of b (kBothArrays, kFirstArray: b is one value, kSecondArray: a is). */
  SelectLoop select[kOperandModes];
  /** acc + the sum of x[0..n) with n >= 64, added in eight double lanes (reduce.cc's fixed order). */
  double (*sumRun)(double acc, const float* x, i64 n);
  /** acc[j] = acc[j] op x[j] in double for sum, max, min (NaN wins): one row folded into the outputs. */
  void (*foldRow[3])(double* acc, const float* x, i64 n);
};

/** The loops for this CPU (the best level it has, lowered by NABLA_SIMD=avx2|scalar). */
const ElementwiseLoops& elementwiseLoops();

/** The table index of a unary/binary op code (op-codes.h), or -1 where it has no loop. */
constexpr int unaryLoopIndex(int op) {
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::neg: return 0;
    case UnaryOp::abs: return 1;
    case UnaryOp::sqrt: return 2;
    case UnaryOp::square: return 3;
    case UnaryOp::reciprocal: return 4;
    case UnaryOp::relu: return 5;
    case UnaryOp::exp: return 6;
    case UnaryOp::sigmoid: return 7;
    case UnaryOp::tanh: return 8;
    default: return -1;
  }
}
constexpr int binaryLoopIndex(int op) {
  switch (static_cast<BinaryOp>(op)) {
    case BinaryOp::add: return 0;
    case BinaryOp::sub: return 1;
    case BinaryOp::mul: return 2;
    case BinaryOp::div: return 3;
    case BinaryOp::maximum: return 4;
    case BinaryOp::minimum: return 5;
    default: return -1;
  }
}

const ElementwiseLoops& elementwiseLoopsPortable();
#if defined(__x86_64__) || defined(_M_X64)
/** Built with -mavx2 (call only when cpuid has it). */
const ElementwiseLoops& elementwiseLoopsAvx2();
/** Built with -mavx512f/dq/bw/vl (call only when cpuid has them). */
const ElementwiseLoops& elementwiseLoopsAvx512();
#endif
#if defined(__wasm_simd128__)
/** Written with wasm SIMD intrinsics (elementwise-loops-wasm-simd128.cc); the wasm module's level. */
const ElementwiseLoops& elementwiseLoopsWasmSimd128();
#endif

}  // namespace nabla
