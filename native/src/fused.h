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
};

/** Program words: n, count, then per instruction kind, op, dtype code, argument registers. */
FusedProgram parseFusedProgram(const std::vector<i64>& words, const std::vector<Buffer>& inputs, const Buffer& out);
void fusedElementwise(const FusedProgram& program, const std::vector<Buffer>& inputs, const Buffer& out);

}  // namespace nabla
