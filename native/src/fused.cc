// The jit's fused elementwise chains, run tile by tile: each instruction applies the addon's own
// unary/binary/where/cast kernel to a tile of a few thousand elements, so intermediates stay in
// cache and no intermediate array is allocated. The kernels are the ones eager execution uses,
// so results match it bit for bit. Tiles are split statically between threads.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "fused.h"
#include "kernels.h"
#include "simd/elementwise-loops.h"
#include "thread-pool.h"

namespace nabla {

namespace {

// A multiple of every SIMD width, so tiles split vectors as a whole array does; small enough that
// a program's float32 registers stay in L1/L2 between instructions.
constexpr i64 kTile = 1024;

DType checkedDType(i64 code) {
  if (code < 0 || code > 3) throw InputError("fusedElementwise: unknown dtype code " + std::to_string(code));
  return static_cast<DType>(code);
}

/** Scratch for the register slots of one thread. */
std::uint8_t* registerScratch(std::size_t bytes) {
  thread_local std::vector<std::uint64_t> buf;
  if (buf.size() * 8 < bytes + 64) buf.resize((bytes + 64 + 7) / 8);
  // On a cache line: a vector access that straddled two lines would cost two.
  const auto at = reinterpret_cast<std::uintptr_t>(buf.data());
  return reinterpret_cast<std::uint8_t*>((at + 63) & ~std::uintptr_t{63});
}

/**
 * A scratch slot for each instruction's register: a slot is free again after the instruction that
 * reads its register last (never within it: a kernel never writes over its own operands); outputs
 * live to the end of the tile, when they are copied out.
 */
void assignSlots(FusedProgram& p, std::size_t nInputs) {
  const std::size_t nRegs = p.regDTypes.size();
  const i64 end = static_cast<i64>(p.program.size());
  std::vector<i64> lastUse(nRegs, -1);
  for (i64 k = 0; k < end; ++k)
    for (int a = 0; a < p.program[k].arity; ++a) lastUse[p.program[k].args[a]] = k;
  for (int r : p.outputs) lastUse[r] = end;
  p.slot.assign(nRegs, -1);
  std::vector<int> freeSlots;
  std::size_t widest = 1;
  for (i64 k = 0; k < end; ++k) {
    const std::size_t r = nInputs + static_cast<std::size_t>(k);
    if (freeSlots.empty()) freeSlots.push_back(p.slotCount++);
    p.slot[r] = freeSlots.back();
    freeSlots.pop_back();
    widest = std::max(widest, dtypeSize(p.regDTypes[r]));
    const FusedInstr& ins = p.program[k];
    for (int a = 0; a < ins.arity; ++a) {
      const int q = ins.args[a];
      const bool repeated = (a > 0 && ins.args[0] == q) || (a > 1 && ins.args[1] == q);
      if (q >= static_cast<int>(nInputs) && lastUse[q] == k && !repeated) freeSlots.push_back(p.slot[q]);
    }
    if (lastUse[r] < 0) freeSlots.push_back(p.slot[r]);  // never read: dead at once
  }
  p.slotBytes = static_cast<std::size_t>(kTile) * widest;
}

/** The operand mode of a binary instruction whose output is not a scalar (so one operand is an array). */
int operandMode(bool firstArray, bool secondArray) { return firstArray && secondArray ? kBothArrays : firstArray ? kFirstArray : kSecondArray; }

/** A float32 comparison into a bool register (the relu gradient's mask). */
bool compareFloat32(const FusedInstr& ins, const Buffer* regs, const std::vector<bool>& regScalar, void* out, i64 len) {
  const Buffer& ra = regs[ins.args[0]];
  const Buffer& rb = regs[ins.args[1]];
  if (ins.dtype != DType::Bool || ra.dtype != DType::F32 || rb.dtype != DType::F32) return false;
  const int mode = operandMode(!regScalar[ins.args[0]], !regScalar[ins.args[1]]);
  elementwiseLoops().compare[ins.op - kFirstCompare][mode](ra.as<float>(), rb.as<float>(), static_cast<std::uint8_t*>(out), len);
  return true;
}

/** where(bool, float32, float32): a select, no arithmetic. */
bool whereFloat32(const FusedInstr& ins, const Buffer* regs, const std::vector<bool>& regScalar, void* out, i64 len) {
  const Buffer& rc = regs[ins.args[0]];
  const Buffer& ra = regs[ins.args[1]];
  const Buffer& rb = regs[ins.args[2]];
  if (ins.dtype != DType::F32 || rc.dtype != DType::Bool || ra.dtype != DType::F32 || rb.dtype != DType::F32) return false;
  auto* __restrict y = static_cast<std::uint32_t*>(out);
  const auto* __restrict c = rc.as<std::uint8_t>();
  const auto* __restrict a = ra.as<std::uint32_t>();
  const auto* __restrict b = rb.as<std::uint32_t>();
  const i64 sc = regScalar[ins.args[0]] ? 0 : 1, sa = regScalar[ins.args[1]] ? 0 : 1, sb = regScalar[ins.args[2]] ? 0 : 1;
  if (sc && (sa || sb))
    elementwiseLoops().select[operandMode(sa, sb)](c, a, b, y, len);
  else
    for (i64 i = 0; i < len; ++i) y[i] = selectBits(c[i * sc], a[i * sa], b[i * sb]);
  return true;
}

/**
 * float32 arithmetic with one IEEE rounding per op (what the unary/binary kernels compute for
 * these ops, so results stay bit-identical), run straight over the tile without the general
 * kernels' shape handling. Returns false for everything else.
 */
bool float32Fast(const FusedInstr& ins, const Buffer* regs, const std::vector<bool>& regScalar, void* out, i64 len) {
  if (ins.kind == 2) return whereFloat32(ins, regs, regScalar, out, len);
  if (ins.kind == 1 && ins.op >= kFirstCompare && ins.op <= code(BinaryOp::greaterEqual)) return compareFloat32(ins, regs, regScalar, out, len);
  if (ins.dtype != DType::F32) return false;
  for (int a = 0; a < ins.arity; ++a)
    if (regs[ins.args[a]].dtype != DType::F32) return false;
  float* y = static_cast<float*>(out);
  const float* a = regs[ins.args[0]].as<float>();
  if (ins.kind == 0) {
    // A unary instruction's output is an array only when its operand is.
    const int k = unaryLoopIndex(ins.op);
    if (k < 0) return false;
    elementwiseLoops().unary[k](a, y, len);
    return true;
  }
  const int k = binaryLoopIndex(ins.op);
  if (ins.kind != 1 || k < 0) return false;
  const int mode = operandMode(!regScalar[ins.args[0]], !regScalar[ins.args[1]]);
  elementwiseLoops().binary[k][mode](a, regs[ins.args[1]].as<float>(), y, len);
  return true;
}

}  // namespace

i64 fusedOutputCount(const std::vector<i64>& words, std::size_t arrays) {
  const i64 count = words.empty() ? 0 : words[0];
  if (count < 1 || count > 16 || static_cast<std::size_t>(count) > arrays)
    throw InputError("fusedElementwise: 1 to 16 outputs expected, and no more than the " + std::to_string(arrays) + " arrays passed; the program names " +
                     std::to_string(count));
  return count;
}

FusedProgram parseFusedProgram(const std::vector<i64>& words, const std::vector<Buffer>& inputs, const std::vector<Buffer>& outs) {
  FusedProgram p;
  std::size_t at = 0;
  auto next = [&](const char* what) {
    if (at >= words.size()) throw InputError(std::string("fusedElementwise: program too short reading ") + what);
    return words[at++];
  };
  const i64 outputCount = next("output count");
  if (outputCount != static_cast<i64>(outs.size()))
    throw InputError("fusedElementwise: the program names " + std::to_string(outputCount) + " outputs, " + std::to_string(outs.size()) + " passed");
  std::vector<i64> outputRegs;
  for (i64 k = 0; k < outputCount; ++k) outputRegs.push_back(next("output register"));
  p.n = next("size");
  if (p.n < 0) throw InputError("fusedElementwise: negative size");
  const i64 count = next("instruction count");
  if (count < 1 || count > 256) throw InputError("fusedElementwise: 1 to 256 instructions expected");
  for (const Buffer& b : inputs) {
    if (b.length != p.n && b.length != 1)
      throw InputError("fusedElementwise: an input holds " + std::to_string(b.length) + " elements, expected " + std::to_string(p.n) + " or 1");
    p.regDTypes.push_back(b.dtype);
    p.regScalar.push_back(b.length == 1 && p.n != 1);
  }
  for (i64 k = 0; k < count; ++k) {
    FusedInstr ins;
    ins.kind = static_cast<int>(next("kind"));
    ins.op = static_cast<int>(next("op"));
    ins.dtype = checkedDType(next("dtype"));
    const int arity = ins.kind == 0 || ins.kind == 3 ? 1 : ins.kind == 1 ? 2 : ins.kind == 2 ? 3 : -1;
    if (arity < 0) throw InputError("fusedElementwise: unknown instruction kind " + std::to_string(ins.kind));
    bool scalar = true;
    for (int a = 0; a < arity; ++a) {
      const i64 r = next("register");
      if (r < 0 || r >= static_cast<i64>(p.regDTypes.size())) throw InputError("fusedElementwise: register out of range");
      ins.args[a] = static_cast<int>(r);
      scalar = scalar && p.regScalar[r];
    }
    ins.arity = arity;
    p.regDTypes.push_back(ins.dtype);
    p.regScalar.push_back(scalar);
    p.program.push_back(ins);
  }
  const i64 firstResult = static_cast<i64>(inputs.size());
  for (std::size_t k = 0; k < outs.size(); ++k) {
    const i64 r = outputRegs[k];
    if (r < firstResult || r >= static_cast<i64>(p.regDTypes.size()))
      throw InputError("fusedElementwise: output " + std::to_string(k) + " names register " + std::to_string(r) + ", expected an instruction's (" +
                       std::to_string(firstResult) + " to " + std::to_string(p.regDTypes.size() - 1) + ")");
    if (p.regDTypes[r] != outs[k].dtype || outs[k].length != p.n)
      throw InputError("fusedElementwise: output " + std::to_string(k) + " must hold " + std::to_string(p.n) + " elements of its register's dtype");
    p.outputs.push_back(static_cast<int>(r));
  }
  assignSlots(p, inputs.size());
  return p;
}

void fusedElementwise(const FusedProgram& p, const std::vector<Buffer>& inputs, const std::vector<Buffer>& outs) {
  if (p.n == 0) return;
  const std::size_t nRegs = p.regDTypes.size();
  const std::size_t nInputs = inputs.size();
  const i64 tiles = (p.n + kTile - 1) / kTile;
  // The last instruction may write its output array directly: no instruction reads after it, so an
  // output given an input's array (the plan's donations) overwrites that input only once it is read.
  // Every other output is kept in scratch and copied out when the tile's program has run.
  const int lastReg = static_cast<int>(nRegs) - 1;
  int directOutput = -1;
  for (std::size_t k = 0; k < outs.size(); ++k)
    if (p.outputs[k] == lastReg && !p.regScalar[lastReg]) directOutput = static_cast<int>(k);
  parallelFor(tiles, kTile * static_cast<i64>(p.program.size() + outs.size()), [&](i64 t0, i64 t1) {
    std::uint8_t* scratch = registerScratch(static_cast<std::size_t>(p.slotCount) * p.slotBytes);
    std::vector<Buffer> regs(nRegs);
    for (i64 t = t0; t < t1; ++t) {
      const i64 start = t * kTile, len = std::min(kTile, p.n - start);
      auto tileOf = [&](const Buffer& whole) { return static_cast<std::uint8_t*>(whole.data) + start * static_cast<i64>(dtypeSize(whole.dtype)); };
      for (std::size_t r = 0; r < nInputs; ++r) {
        const Buffer& in = inputs[r];
        regs[r] = in;
        if (!p.regScalar[r]) {
          regs[r].data = tileOf(in);
          regs[r].length = len;
        }
      }
      const Shape tileShape{len}, scalarShape{};
      for (std::size_t k = 0; k < p.program.size(); ++k) {
        const FusedInstr& ins = p.program[k];
        const std::size_t r = nInputs + k;
        Buffer& o = regs[r];
        o.dtype = ins.dtype;
        o.length = p.regScalar[r] ? 1 : len;
        o.data = directOutput >= 0 && static_cast<int>(r) == lastReg ? tileOf(outs[directOutput]) : scratch + static_cast<std::size_t>(p.slot[r]) * p.slotBytes;
        const Shape& os = p.regScalar[r] ? scalarShape : tileShape;
        auto shapeOf = [&](int a) -> const Shape& { return p.regScalar[ins.args[a]] ? scalarShape : tileShape; };
        if (!p.regScalar[r] && float32Fast(ins, regs.data(), p.regScalar, o.data, len)) continue;
        const Buffer& a0 = regs[ins.args[0]];
        switch (ins.kind) {
          case 0: unary(ins.op, a0, o); break;
          case 1: binary(ins.op, a0, shapeOf(0), regs[ins.args[1]], shapeOf(1), o, os); break;
          case 2: where(a0, shapeOf(0), regs[ins.args[1]], shapeOf(1), regs[ins.args[2]], shapeOf(2), o, os); break;
          default: cast(a0, o); break;
        }
      }
      for (std::size_t k = 0; k < outs.size(); ++k) {
        if (static_cast<int>(k) == directOutput) continue;
        const Buffer& v = regs[p.outputs[k]];
        const std::size_t size = dtypeSize(v.dtype);
        std::uint8_t* to = tileOf(outs[k]);
        // A register every operand of which was a scalar holds one value: spread it over the tile.
        if (p.regScalar[p.outputs[k]])
          for (i64 i = 0; i < len; ++i) std::memcpy(to + i * size, v.data, size);
        else
          std::memcpy(to, v.data, static_cast<std::size_t>(len) * size);
      }
    }
  });
}

void biasActivation(int act, const Buffer& out, const Buffer& bias, i64 rows, i64 cols) {
  if (rows < 0 || cols < 0) throw InputError("biasActivation: negative rows or cols");
  if (out.dtype != bias.dtype || (out.dtype != DType::F32 && out.dtype != DType::F64))
    throw InputError("biasActivation: output and bias must both be float32 or both float64");
  if (bias.length != cols || (cols > 0 && out.length / cols != rows) || out.length != rows * cols)
    throw InputError("biasActivation: output holds " + std::to_string(out.length) + " elements and bias " + std::to_string(bias.length) +
                     ", expected " + std::to_string(rows) + " x " + std::to_string(cols) + " and " + std::to_string(cols));
  if (act != -1 && !validCode<UnaryOp>(act)) throw InputError("biasActivation: unknown activation op");
  if (out.length == 0) return;
  const i64 blockRows = std::max<i64>(1, kTile / std::max<i64>(cols, 1));
  const i64 blocks = (rows + blockRows - 1) / blockRows;
  parallelFor(blocks, blockRows * cols * 2, [&](i64 b0, i64 b1) {
    for (i64 b = b0; b < b1; ++b) {
      const i64 r0 = b * blockRows, r1 = std::min(rows, r0 + blockRows);
      Buffer block = out;
      block.length = (r1 - r0) * cols;
      block.data = static_cast<std::uint8_t*>(out.data) + r0 * cols * static_cast<i64>(dtypeSize(out.dtype));
      auto addBias = [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        T* __restrict y = block.as<T>();
        const T* __restrict v = bias.as<T>();
        for (i64 r = 0; r < r1 - r0; ++r, y += cols)
          for (i64 c = 0; c < cols; ++c) y[c] = y[c] + v[c];
      };
      if (out.dtype == DType::F32) addBias(static_cast<float*>(nullptr));
      else addBias(static_cast<double*>(nullptr));
      if (act >= 0) unary(act, block, block);
    }
  });
}

}  // namespace nabla
