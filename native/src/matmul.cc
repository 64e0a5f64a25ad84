// Batched matmul over the last two axes with broadcast batch axes and transpose flags:
// float32/float64 through the packed GEMM (or OpenBLAS when the build found it), int32 with
// the reference's double accumulation.
#include <algorithm>
#include <string>

#include "claimed-blocks.h"
#include "fused.h"
#include "gemm/gemm.h"
#include "gemm/gemm-threads.h"
#include "kernels.h"
#include "prepacked.h"
#include "strided-plan.h"
#include "thread-pool.h"

#ifdef NABLA_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace nabla {

namespace {

struct Problem {
  i64 m, n, k, batches;
  std::vector<i64> aOffsets, bOffsets;  // element offsets of each batch's matrices
  bool transposeA, transposeB;
};

Problem plan(const Shape& aShape, const Shape& bShape, bool tA, bool tB) {
  if (aShape.size() < 2 || bShape.size() < 2) throw InputError("matmul: operands need rank >= 2");
  i64 ar = aShape[aShape.size() - 2], ac = aShape.back(), br = bShape[bShape.size() - 2], bc = bShape.back();
  Problem p;
  p.transposeA = tA;
  p.transposeB = tB;
  p.m = tA ? ac : ar;
  p.k = tA ? ar : ac;
  i64 k2 = tB ? bc : br;
  p.n = tB ? br : bc;
  if (p.k != k2)
    throw InputError("matmul: inner dimensions differ (" + std::to_string(p.k) + " vs " + std::to_string(k2) + ")");
  Shape aBatch(aShape.begin(), aShape.end() - 2), bBatch(bShape.begin(), bShape.end() - 2);
  Shape batch(std::max(aBatch.size(), bBatch.size()), 1);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    std::size_t fromEnd = batch.size() - i;
    i64 da = fromEnd <= aBatch.size() ? aBatch[aBatch.size() - fromEnd] : 1;
    i64 db = fromEnd <= bBatch.size() ? bBatch[bBatch.size() - fromEnd] : 1;
    if (da != db && da != 1 && db != 1) throw InputError("matmul: batch dimensions do not broadcast");
    batch[i] = da == 1 ? db : da;
  }
  std::vector<i64> sa = broadcastStrides(aBatch, batch, "matmul"), sb = broadcastStrides(bBatch, batch, "matmul");
  p.batches = elementCount(batch, "matmul");
  p.aOffsets.resize(p.batches);
  p.bOffsets.resize(p.batches);
  std::vector<i64> idx(batch.size(), 0);
  i64 oa = 0, ob = 0;
  for (i64 t = 0; t < p.batches; ++t) {
    p.aOffsets[t] = oa * ar * ac;
    p.bOffsets[t] = ob * br * bc;
    for (std::size_t d = batch.size(); d-- > 0;) {
      ++idx[d];
      oa += sa[d];
      ob += sb[d];
      if (idx[d] < batch[d]) break;
      oa -= sa[d] * batch[d];
      ob -= sb[d] * batch[d];
      idx[d] = 0;
    }
  }
  return p;
}

template <typename T> MatrixRef<T> operandA(const Problem& p, const T* base) {
  return p.transposeA ? MatrixRef<T>{base, 1, p.m} : MatrixRef<T>{base, p.k, 1};
}
template <typename T> MatrixRef<T> operandB(const Problem& p, const T* base) {
  return p.transposeB ? MatrixRef<T>{base, 1, p.k} : MatrixRef<T>{base, p.n, 1};
}

#ifdef NABLA_HAVE_OPENBLAS
void blasGemm(const Problem& p, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, p.transposeA ? CblasTrans : CblasNoTrans, p.transposeB ? CblasTrans : CblasNoTrans, p.m,
              p.n, p.k, 1.f, a, p.transposeA ? p.m : p.k, b, p.transposeB ? p.k : p.n, 0.f, c, p.n);
}
void blasGemm(const Problem& p, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, p.transposeA ? CblasTrans : CblasNoTrans, p.transposeB ? CblasTrans : CblasNoTrans, p.m,
              p.n, p.k, 1.0, a, p.transposeA ? p.m : p.k, b, p.transposeB ? p.k : p.n, 0.0, c, p.n);
}
#endif

// Up to this many rows (batch-1 inference), B's rows are streamed once straight from where they
// are, rather than packed per call for a micro-kernel whose rows would be mostly empty.
constexpr i64 kStreamedRows = 4;

/** C = A B for a few rows of A and an untransposed B: row i of C accumulates a_iq * B[q, :] over q. */
template <typename T> void fewRowsMatmul(const Problem& p, const T* a, const T* b, T* c) {
  const i64 mn = p.m * p.n;
  const i64 ai = p.transposeA ? 1 : p.k, ap = p.transposeA ? p.m : 1;
  for (i64 t = 0; t < p.batches; ++t) {
    const T* A = a + p.aOffsets[t];
    const T* B = b + p.bOffsets[t];
    T* C = c + t * mn;
    if (fewRowsProduct<T>(p.m, p.n, p.k, A, ai, ap, B, C)) continue;
    std::fill(C, C + mn, T(0));
    for (i64 q = 0; q < p.k; ++q) {
      const T* bRow = B + q * p.n;
      for (i64 i = 0; i < p.m; ++i) {
        const T av = A[i * ai + q * ap];
        T* __restrict cRow = C + i * p.n;
        for (i64 j = 0; j < p.n; ++j) cRow[j] += av * bRow[j];
      }
    }
  }
}

template <typename T> void floatMatmul(const Problem& p, const T* a, const T* b, T* c) {
  const i64 mn = p.m * p.n;
  if (p.m <= kStreamedRows && !p.transposeB) {
    fewRowsMatmul(p, a, b, c);
    return;
  }
#ifdef NABLA_HAVE_OPENBLAS
  if (p.k > 0 && mn > 0) {
    for (i64 t = 0; t < p.batches; ++t) blasGemm(p, a + p.aOffsets[t], b + p.bOffsets[t], c + t * mn);
    return;
  }
#endif
  const i64 flops = p.m * p.n * p.k;
  // Many small matrices: one thread per matrix beats splitting each one.
  int threads = gemmThreads(flops * p.batches);
  if (p.batches >= 2 * threads && threads > 1 && flops < kMinThreadedGemmMacs) {
    forEachClaimedBlock(p.batches, 1, threads, [&](i64 b0, i64 b1) {
      for (i64 t = b0; t < b1; ++t)
        gemm<T>(p.m, p.n, p.k, operandA(p, a + p.aOffsets[t]), operandB(p, b + p.bOffsets[t]), c + t * mn, p.n, 1);
    });
    return;
  }
  int perMatrix = gemmThreads(flops);
  for (i64 t = 0; t < p.batches; ++t)
    gemm<T>(p.m, p.n, p.k, operandA(p, a + p.aOffsets[t]), operandB(p, b + p.bOffsets[t]), c + t * mn, p.n, perMatrix);
}

/** The GEMM path of floatMatmul for one matrix, with B's panels already packed. */
template <typename T> void prepackedMatmul(const Problem& p, const T* a, const T* panels, T* c, const GemmEpilogue<T>* epilogue = nullptr) {
  const int threads = gemmThreads(p.m * p.n * p.k);
  gemmPrepacked<T>(p.m, p.n, p.k, operandA(p, a), panels, c, p.n, threads, epilogue);
}

void intMatmul(const Problem& p, const std::int32_t* a, const std::int32_t* b, std::int32_t* c) {
  const i64 ai = p.transposeA ? 1 : p.k, ap = p.transposeA ? p.m : 1;
  const i64 bp = p.transposeB ? 1 : p.n, bj = p.transposeB ? p.k : 1;
  parallelFor(p.batches * p.m, p.n * p.k, [&](i64 r0, i64 r1) {
    std::vector<double> acc(static_cast<std::size_t>(p.n));
    for (i64 r = r0; r < r1; ++r) {
      i64 t = r / p.m, i = r % p.m;
      const std::int32_t* A = a + p.aOffsets[t];
      const std::int32_t* B = b + p.bOffsets[t];
      std::fill(acc.begin(), acc.end(), 0.0);
      for (i64 q = 0; q < p.k; ++q) {
        double av = A[i * ai + q * ap];
        for (i64 j = 0; j < p.n; ++j) acc[j] += av * B[q * bp + j * bj];
      }
      std::int32_t* row = c + t * p.m * p.n + i * p.n;
      for (i64 j = 0; j < p.n; ++j) row[j] = jsToInt32(acc[j]);
    }
  });
}

}  // namespace

void matmul(const Buffer& a, const Shape& aShape, const Buffer& b, const Shape& bShape, bool transposeA,
            bool transposeB, const Buffer& out) {
  if (a.dtype != b.dtype || a.dtype != out.dtype)
    throw InputError(std::string("matmul: operands and output must share a dtype, got ") + dtypeName(a.dtype) + ", " +
                     dtypeName(b.dtype) + " -> " + dtypeName(out.dtype));
  expectLength(a, elementCount(aShape, "matmul"), "matmul", "first operand");
  expectLength(b, elementCount(bShape, "matmul"), "matmul", "second operand");
  Problem p = plan(aShape, bShape, transposeA, transposeB);
  expectLength(out, p.batches * p.m * p.n, "matmul", "output");
  switch (a.dtype) {
    case DType::F32: return floatMatmul(p, a.as<float>(), b.as<float>(), out.as<float>());
    case DType::F64: return floatMatmul(p, a.as<double>(), b.as<double>(), out.as<double>());
    case DType::I32: return intMatmul(p, a.as<std::int32_t>(), b.as<std::int32_t>(), out.as<std::int32_t>());
    case DType::Bool: break;
  }
  throw InputError("matmul: bool operands are not supported; cast them first");
}

bool matmulUsesPrepacked(i64 m, i64 n, i64 k, bool transposeB, DType dtype) {
#ifdef NABLA_HAVE_OPENBLAS
  (void)m, (void)n, (void)k, (void)transposeB, (void)dtype;
  return false;  // OpenBLAS packs its own operands
#else
  if (dtype != DType::F32 && dtype != DType::F64) return false;
  return m > 0 && n > 0 && k > 0 && (m > kStreamedRows || transposeB);
#endif
}

void prepackWeight(const Buffer& b, i64 k, i64 n, i64 groups, i64 rowStride, i64 colStride, const Buffer& out) {
  const char* op = "packGemmB";
  if (b.dtype != out.dtype || (b.dtype != DType::F32 && b.dtype != DType::F64))
    throw InputError(std::string(op) + ": expected a float32 or float64 weight and output of its dtype, got " + dtypeName(b.dtype) +
                     " -> " + dtypeName(out.dtype));
  if (k < 1 || n < 1 || groups < 1 || rowStride < 0 || colStride < 0 || k > (i64{1} << 31) || n > (i64{1} << 31) || groups > (i64{1} << 20))
    throw InputError(std::string(op) + ": bad geometry k=" + std::to_string(k) + " n=" + std::to_string(n) + " groups=" + std::to_string(groups));
  const i64 last = (k - 1) * rowStride + (groups * n - 1) * colStride;
  if (last >= b.length)
    throw InputError(std::string(op) + ": a " + std::to_string(k) + " x " + std::to_string(n) + " weight in " + std::to_string(groups) +
                     " groups reaches element " + std::to_string(last) + " of an array of " + std::to_string(b.length));
  expectLength(out, prepackedBLength(k, n, groups), op, "output");
  if (b.dtype == DType::F32) prepackB<float>(k, n, groups, MatrixRef<float>{b.as<float>(), rowStride, colStride}, out.as<float>(), out.length);
  else prepackB<double>(k, n, groups, MatrixRef<double>{b.as<double>(), rowStride, colStride}, out.as<double>(), out.length);
}

void matmulPrepacked(const Buffer& a, const Shape& aShape, const Buffer& b, const Shape& bShape, bool transposeA,
                     bool transposeB, const Buffer& packed, const Buffer& out) {
  if (a.dtype == b.dtype && a.dtype == out.dtype && packed.dtype == a.dtype && (a.dtype == DType::F32 || a.dtype == DType::F64)) {
    expectLength(a, elementCount(aShape, "matmul"), "matmul", "first operand");
    expectLength(b, elementCount(bShape, "matmul"), "matmul", "second operand");
    Problem p = plan(aShape, bShape, transposeA, transposeB);
    expectLength(out, p.batches * p.m * p.n, "matmul", "output");
    if (p.batches == 1 && matmulUsesPrepacked(p.m, p.n, p.k, p.transposeB, a.dtype)) {
      if (a.dtype == DType::F32) {
        if (const float* panels = prepackedPanels(packed.as<float>(), packed.length, p.k, p.n, 1, 0))
          return prepackedMatmul(p, a.as<float>(), panels, out.as<float>());
      } else if (const double* panels = prepackedPanels(packed.as<double>(), packed.length, p.k, p.n, 1, 0)) {
        return prepackedMatmul(p, a.as<double>(), panels, out.as<double>());
      }
    }
  }
  matmul(a, aShape, b, bShape, transposeA, transposeB, out);
}

void matmulPrepackedEpilogue(const Buffer& a, const Shape& aShape, const Buffer& b, const Shape& bShape, bool transposeA,
                             bool transposeB, const Buffer& packed, const Buffer& bias, int act, const Buffer& out) {
  const char* op = "matmul epilogue";
  if (act != -1 && !validCode<UnaryOp>(act)) throw InputError(std::string(op) + ": unknown activation op code " + std::to_string(act));
  if (bias.dtype != out.dtype || (out.dtype != DType::F32 && out.dtype != DType::F64))
    throw InputError(std::string(op) + ": output and bias must both be float32 or both float64, got " + dtypeName(out.dtype) + " and " +
                     dtypeName(bias.dtype));
  if (a.dtype == b.dtype && a.dtype == out.dtype && packed.dtype == a.dtype) {
    expectLength(a, elementCount(aShape, "matmul"), "matmul", "first operand");
    expectLength(b, elementCount(bShape, "matmul"), "matmul", "second operand");
    Problem p = plan(aShape, bShape, transposeA, transposeB);
    expectLength(out, p.batches * p.m * p.n, "matmul", "output");
    expectLength(bias, p.n, op, "bias");
    if (p.batches == 1 && matmulUsesPrepacked(p.m, p.n, p.k, p.transposeB, a.dtype)) {
      if (a.dtype == DType::F32) {
        if (const float* panels = prepackedPanels(packed.as<float>(), packed.length, p.k, p.n, 1, 0)) {
          const GemmEpilogue<float> e{bias.as<float>(), act};
          return prepackedMatmul(p, a.as<float>(), panels, out.as<float>(), &e);
        }
      } else if (const double* panels = prepackedPanels(packed.as<double>(), packed.length, p.k, p.n, 1, 0)) {
        const GemmEpilogue<double> e{bias.as<double>(), act};
        return prepackedMatmul(p, a.as<double>(), panels, out.as<double>(), &e);
      }
    }
  }
  matmulPrepacked(a, aShape, b, bShape, transposeA, transposeB, packed, out);
  biasActivation(act, out, bias, bias.length > 0 ? out.length / bias.length : 0, bias.length);
}

}  // namespace nabla
