// The kernel entry points: unpack a KernelCall's words into shapes and geometry and run the
// kernel. The binding (addon.cc) and the plan interpreter (plan.cc) both come through here.
#include <algorithm>
#include <cmath>
#include <string>

#include "conv-pool.h"
#include "fused.h"
#include "index-kernels.h"
#include "kernel-call.h"
#include "linalg/linalg-kernels.h"
#include "prepacked.h"
#include "random-kernels.h"
#include "scan-kernels.h"
#include "softmax-rows.h"
#include "window-kernels.h"

namespace nabla {

i64 WordCursor::integer(const char* what) {
  if (pos_ >= count_) throw InputError(std::string("nabla addon: argument buffer too short reading ") + what);
  double v = words_[pos_++];
  if (!(std::floor(v) == v) || std::fabs(v) > 9007199254740992.0)
    throw InputError(std::string("nabla addon: ") + what + " must be an integer, got " + std::to_string(v));
  return static_cast<i64>(v);
}

double WordCursor::number(const char* what) {
  if (pos_ >= count_) throw InputError(std::string("nabla addon: argument buffer too short reading ") + what);
  return words_[pos_++];
}

Shape WordCursor::shape(const char* what) {
  i64 rank = integer(what);
  if (rank < 0 || rank > 64) throw InputError(std::string("nabla addon: rank of ") + what + " must be in [0, 64]");
  Shape s(static_cast<std::size_t>(rank));
  for (auto& d : s) {
    d = integer(what);
    if (d < 0) throw InputError(std::string("nabla addon: negative dimension in ") + what);
  }
  return s;
}

namespace {

void unaryEntry(const KernelCall& c) { unary(c.op, c.buffer(0, "input"), c.buffer(1, "output")); }

void binaryEntry(const KernelCall& c) {
  WordCursor w(c);
  Shape as = w.shape("first input shape"), bs = w.shape("second input shape"), os = w.shape("output shape");
  binary(c.op, c.buffer(0, "first input"), as, c.buffer(1, "second input"), bs, c.buffer(2, "output"), os);
}

void whereEntry(const KernelCall& c) {
  WordCursor w(c);
  Shape cs = w.shape("condition shape"), as = w.shape("x shape"), bs = w.shape("y shape"), os = w.shape("output shape");
  where(c.buffer(0, "condition"), cs, c.buffer(1, "x"), as, c.buffer(2, "y"), bs, c.buffer(3, "output"), os);
}

void castEntry(const KernelCall& c) { cast(c.buffer(0, "input"), c.buffer(1, "output")); }

void materializeEntry(const KernelCall& c) {
  WordCursor w(c);
  Shape shape = w.shape("view shape");
  Shape strides(shape.size());
  for (auto& s : strides) s = w.integer("view stride");
  i64 offset = w.integer("view offset");
  materialize(c.buffer(0, "source"), shape, strides, offset, c.buffer(1, "output"));
}

void reduceEntry(const KernelCall& c) {
  WordCursor w(c);
  Shape shape = w.shape("input shape");
  std::vector<bool> reduced(shape.size(), false);
  i64 count = w.integer("axis count");
  if (count < 0 || count > static_cast<i64>(shape.size())) throw InputError("reduce: bad axis count");
  for (i64 i = 0; i < count; ++i) {
    i64 axis = w.integer("axis");
    if (axis < 0 || axis >= static_cast<i64>(shape.size())) throw InputError("reduce: axis out of range");
    reduced[axis] = true;
  }
  reduce(c.op, c.buffer(0, "input"), shape, reduced, c.buffer(1, "output"));
}

void argReduceEntry(const KernelCall& c) {
  WordCursor w(c);
  Shape shape = w.shape("input shape");
  i64 axis = w.integer("axis");
  if (axis < 0 || axis >= static_cast<i64>(shape.size())) throw InputError("argReduce: axis out of range");
  argReduce(c.op, c.buffer(0, "input"), shape, static_cast<int>(axis), c.buffer(1, "output"));
}

void matmulEntry(const KernelCall& c) {
  WordCursor w(c);
  Shape as = w.shape("first operand shape"), bs = w.shape("second operand shape");
  bool ta = w.integer("transposeA") != 0, tb = w.integer("transposeB") != 0;
  matmul(c.buffer(0, "first operand"), as, c.buffer(1, "second operand"), bs, ta, tb, c.buffer(2, "output"));
}

/** `count` integers of window geometry (conv/pool), read from the cursor. */
std::vector<i64> geometry(WordCursor& w, int count) {
  std::vector<i64> p(static_cast<std::size_t>(count));
  for (auto& v : p) v = w.integer("window geometry");
  return p;
}

std::vector<i64> geometry(const KernelCall& c, int count) {
  WordCursor w(c);
  return geometry(w, count);
}

void conv2dEntry(const KernelCall& c) {
  conv2d(c.op, c.buffer(0, "first input"), c.buffer(1, "second input"), c.buffer(2, "output"), geometry(c, kConvParamCount));
}

void pool2dEntry(const KernelCall& c) {
  pool2d(c.op, c.buffer(0, "first input"), c.buffer(1, "second input"), c.buffer(2, "output"), geometry(c, kPoolParamCount));
}

/** Buffers: the outputs, then the inputs; words: the program's word count, then the program (fused.h). */
void fusedElementwiseEntry(const KernelCall& c) {
  WordCursor w(c);
  const i64 count = w.integer("program length");
  if (count < 0 || count > 1000) throw InputError("fusedElementwise: bad program length");
  std::vector<i64> words(static_cast<std::size_t>(count));
  for (auto& v : words) v = w.integer("program word");
  const auto outputCount = static_cast<std::size_t>(fusedOutputCount(words, c.bufferCount));
  std::vector<Buffer> outs, inputs;
  for (std::size_t k = 0; k < c.bufferCount; ++k) (k < outputCount ? outs : inputs).push_back(c.buffer(k, k < outputCount ? "output" : "input"));
  fusedElementwise(parseFusedProgram(words, inputs, outs), inputs, outs);
}

/** buffers: x, out; words: rows, cols (softmax over each row of cols elements). */
void softmaxRowsEntry(const KernelCall& c) {
  WordCursor w(c);
  const i64 rows = w.integer("rows"), cols = w.integer("cols");
  softmaxRows(c.buffer(0, "input"), c.buffer(1, "output"), rows, cols);
}

/** op: an activation's unary code or -1; buffers: out (read and written), bias; words: rows, cols. */
void biasActivationEntry(const KernelCall& c) {
  WordCursor w(c);
  const i64 rows = w.integer("rows"), cols = w.integer("cols");
  biasActivation(c.op, c.buffer(0, "output"), c.buffer(1, "bias"), rows, cols);
}

/**
 * op: an activation's unary code or -1; buffers: x, filter, bias (any array when there is none),
 * the prepacked filter where there is one, out; words: conv2d's 19 integers, pool2d's 14, the
 * pool mode, whether there is a bias.
 */
void convPoolEntry(const KernelCall& c) {
  const std::vector<i64> conv = geometry(c, kConvParamCount + kPoolParamCount + 2);
  const std::vector<i64> convParams(conv.begin(), conv.begin() + kConvParamCount);
  const std::vector<i64> poolParams(conv.begin() + kConvParamCount, conv.begin() + kConvParamCount + kPoolParamCount);
  const bool packed = c.bufferCount == 5;
  const Buffer& out = c.buffer(packed ? 4 : 3, "output");
  convPool(c.op, c.buffer(0, "input"), c.buffer(1, "filter"), c.buffer(2, "bias"), conv.back() != 0, packed ? &c.buffer(3, "packed filter") : nullptr,
           out, convParams, poolParams, static_cast<int>(conv[kConvParamCount + kPoolParamCount]));
}

/** A query's yes or no, written into the call's one-element int32 answer buffer. */
void writeAnswer(const KernelCall& c, bool yes) {
  const Buffer& out = c.buffer(0, "answer");
  expectLength(out, 1, "prepacked", "answer");
  if (out.dtype != DType::I32) throw InputError("prepacked: the answer array must be int32");
  out.as<std::int32_t>()[0] = yes ? 1 : 0;
}

/**
 * Prepacked weights (prepacked.h), by op: the two queries write 1 or 0 into an int32 buffer
 * (words: m, n, k, transposeB, float64 / float64, conv geometry); Pack: buffers b, out, words k,
 * n, groups, rowStride, colStride; WinogradQuery: as ConvQuery; WinogradPack: buffers f, out, words c, o; Matmul: buffers a, b, packed, out, matmul's words; Conv:
 * buffers x, f, packed, out, conv2d's geometry; ConvWinogradCached: buffers x, f, cache, out, conv2d's geometry;
 * ConvEpilogue: buffers x, f, packed, bias, out, conv2d's geometry, the activation.
 */
void prepackedEntry(const KernelCall& c) {
  WordCursor w(c);
  switch (static_cast<PrepackedOp>(c.op)) {
    case PrepackedOp::MatmulQuery: {
      const i64 m = w.integer("m"), n = w.integer("n"), k = w.integer("k");
      const bool tb = w.integer("transposeB") != 0, f64 = w.integer("float64") != 0;
      writeAnswer(c, matmulUsesPrepacked(m, n, k, tb, f64 ? DType::F64 : DType::F32));
      return;
    }
    case PrepackedOp::ConvQuery: {
      const DType dtype = w.integer("float64") != 0 ? DType::F64 : DType::F32;
      writeAnswer(c, conv2dUsesPrepacked(geometry(w, kConvParamCount), dtype));
      return;
    }
    case PrepackedOp::Pack: {
      const i64 k = w.integer("k"), n = w.integer("n"), groups = w.integer("groups");
      const i64 rs = w.integer("row stride"), cs = w.integer("column stride");
      prepackWeight(c.buffer(0, "weight"), k, n, groups, rs, cs, c.buffer(1, "output"));
      return;
    }
    case PrepackedOp::WinogradQuery: {
      const DType dtype = w.integer("float64") != 0 ? DType::F64 : DType::F32;
      writeAnswer(c, conv2dUsesWinogradPack(geometry(w, kConvParamCount), dtype));
      return;
    }
    case PrepackedOp::WinogradPack: {
      const i64 ci = w.integer("input channels"), co = w.integer("output channels");
      prepackWinogradFilter(c.buffer(0, "filter"), ci, co, c.buffer(1, "output"));
      return;
    }
    case PrepackedOp::Matmul: {
      Shape as = w.shape("first operand shape"), bs = w.shape("second operand shape");
      bool ta = w.integer("transposeA") != 0, tb = w.integer("transposeB") != 0;
      matmulPrepacked(c.buffer(0, "first operand"), as, c.buffer(1, "second operand"), bs, ta, tb, c.buffer(2, "packed operand"),
                      c.buffer(3, "output"));
      return;
    }
    case PrepackedOp::MatmulEpilogue: {
      Shape as = w.shape("first operand shape"), bs = w.shape("second operand shape");
      bool ta = w.integer("transposeA") != 0, tb = w.integer("transposeB") != 0;
      const int act = static_cast<int>(w.integer("activation"));
      matmulPrepackedEpilogue(c.buffer(0, "first operand"), as, c.buffer(1, "second operand"), bs, ta, tb,
                              c.buffer(2, "packed operand"), c.buffer(3, "bias"), act, c.buffer(4, "output"));
      return;
    }
    case PrepackedOp::Conv:
      conv2dPrepacked(c.buffer(0, "input"), c.buffer(1, "filter"), c.buffer(2, "packed filter"), c.buffer(3, "output"),
                      geometry(c, kConvParamCount));
      return;
    case PrepackedOp::ConvWinogradCached:
      conv2dWinogradCached(c.buffer(0, "input"), c.buffer(1, "filter"), c.buffer(2, "filter cache"), c.buffer(3, "output"),
                           geometry(c, kConvParamCount));
      return;
    case PrepackedOp::ConvEpilogue: {
      const std::vector<i64> params = geometry(w, kConvParamCount);
      const int act = static_cast<int>(w.integer("activation"));
      conv2dPrepackedEpilogue(c.buffer(0, "input"), c.buffer(1, "filter"), c.buffer(2, "packed filter"), c.buffer(3, "bias"), act,
                              c.buffer(4, "output"), params);
      return;
    }
  }
  throw InputError("prepacked: unknown op code " + std::to_string(c.op));
}

using EntryFn = void (*)(const KernelCall&);

#define NABLA_ENTRY_FN(name, takesOp, outputIndex) name##Entry,
const EntryFn kEntryFns[] = {NABLA_KERNEL_ENTRIES(NABLA_ENTRY_FN)};
#undef NABLA_ENTRY_FN

}  // namespace

#define NABLA_ENTRY_SPEC(name, takesOp, outputIndex) {#name, takesOp, outputIndex},
const std::vector<EntrySpec> kEntries = {NABLA_KERNEL_ENTRIES(NABLA_ENTRY_SPEC)};
#undef NABLA_ENTRY_SPEC

void runEntry(int entry, const KernelCall& call) {
  static_assert(sizeof(kEntryFns) / sizeof(kEntryFns[0]) == kEntryCount, "one function per entry of kEntries");
  if (entry < 0 || entry >= static_cast<int>(kEntries.size())) throw InputError("nabla addon: unknown kernel entry " + std::to_string(entry));
  kEntryFns[entry](call);
}

}  // namespace nabla
