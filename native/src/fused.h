// The jit's fusedElementwise kernel: a program of elementwise instructions over registers
// (the inputs, then one per instruction), applied tile by tile.
#pragma once

#include <vector>

#include "common.h"
#include "kernels.h"

namespace nabla {

struct FusedInstr {
  int kind = 0;  // 0 unary, 1 binary (arithmetic or compare), 2 where, 3 cast
  int op = 0;    // unary/binary op code
  DType dtype = DType::F32;
  int arity = 1;
  int args[3] = {0, 0, 0};
};

struct FusedProgram {
  i64 n = 0;
  std::vector<FusedInstr> program;
  std::vector<DType> regDTypes;
  std::vector<bool> regScalar;  // a length-1 register broadcast over the output
  std::vector<int> outputs;     // the registers written to the output arrays, in their order
  // Where each instruction's register lives in the thread's scratch (inputs: -1): a slot is reused
  // once its register is read for the last time, so a long program's tiles stay in L1.
  std::vector<int> slot;
  int slotCount = 0;
  std::size_t slotBytes = 0;  // one tile of the widest instruction dtype
};

/** How many output arrays a program's words name (its first word), checked against the arrays passed. */
i64 fusedOutputCount(const std::vector<i64>& words, std::size_t arrays);

/**
 * Program words: the output count, the output registers, n, the instruction count, then per
 * instruction kind, op, dtype code, argument registers.
 */
FusedProgram parseFusedProgram(const std::vector<i64>& words, const std::vector<Buffer>& inputs, const std::vector<Buffer>& outs);
void fusedElementwise(const FusedProgram& program, const std::vector<Buffer>& inputs, const std::vector<Buffer>& outs);

/**
 * out[r, c] = act(out[r, c] + bias[c]) over rows x cols (float32 or float64), in cache-sized row
 * blocks: the add, then the activation's own unary kernel (act = -1: none), so the result is the
 * bits of the separate add and activation, in one trip through memory instead of two.
 */
void biasActivation(int act, const Buffer& out, const Buffer& bias, i64 rows, i64 cols);

}  // namespace nabla
