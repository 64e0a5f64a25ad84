#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "../thread-pool.h"
#include "epilogue.h"
#include "micro-kernel.h"
#include "team-schedule.h"

namespace nabla {

namespace {

MicroKernel<float> gKernelF32 = scalarKernelF32();
MicroKernel<double> gKernelF64 = scalarKernelF64();

template <typename T> const MicroKernel<T>& kernelFor();
template <> const MicroKernel<float>& kernelFor<float>() { return gKernelF32; }
template <> const MicroKernel<double>& kernelFor<double>() { return gKernelF64; }

// Cache blocking, in elements: the micro-kernel streams a KC x NR micro-panel of B and MC x KC of
// packed A from L2; the KC x NC block of B lives in L2/L3. A long KC (the whole k up to 1024)
// measured best for float32 on Zen 5 (1 MiB L2): C is read and written once per KC block, and a
// C tile's rows, often 4 KiB apart, are slow to reach.
// The wasm module uses the same: its 5 x 8 simd128 kernel is bound by its own instructions, and KC
// from 256 to 1024 (MC 48-96, NC 512-3072) measured within a few per cent of one another there
// (BENCHMARKS.md, "wasm GEMM blocking"); setGemmBlockingF32 tries others.
template <typename T> struct Blocking;
template <> struct Blocking<float> { static inline std::int64_t KC = 1024, MC = 48, NC = 3072; };
template <> struct Blocking<double> { static inline std::int64_t KC = 192, MC = 96, NC = 2048; };
struct TuneFromEnv {
  TuneFromEnv() {
    if (const char* e = std::getenv("NABLA_GEMM_TUNE")) {
      long kc, mc, nc;
      if (std::sscanf(e, "%ld,%ld,%ld", &kc, &mc, &nc) == 3) setGemmBlockingF32(kc, mc, nc);
    }
  }
} tuneFromEnv;

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};

/** A 64-byte aligned scratch buffer that only grows. */
class Scratch {
 public:
  void* get(std::size_t bytes) {
    if (bytes > size_) {
      std::size_t rounded = (bytes + 63) / 64 * 64;
      void* p = std::aligned_alloc(64, rounded);
      if (!p) throw std::bad_alloc();
      buf_.reset(p);
      size_ = rounded;
    }
    return buf_.get();
  }

 private:
  std::unique_ptr<void, AlignedFree> buf_;
  std::size_t size_ = 0;
};

/**
 * Packing buffers: a and b for one thread's GEMM (the caller of a team GEMM holds one per member),
 * and wholeA for all of A, kept while the thread runs the column parts of one product.
 */
struct Workspace {
  Scratch a, b, wholeA;
};

/**
 * The calling thread's packing buffers. Per thread, not per process: GEMMs run at once on the
 * threads of one pool (one per task) and in several Node environments (worker threads).
 */
std::vector<Workspace>& workspaces(std::size_t slots) {
  thread_local std::vector<Workspace> own;
  if (own.size() < slots) own.resize(slots);
  return own;
}

/** Pack rows [0, mc) x cols [0, kc) of A into micro-panels of mr rows, zero-padding the last. */
template <typename T>
void packA(const MicroKernel<T>& uk, std::int64_t mc, std::int64_t kc, const T* a, std::int64_t rs, std::int64_t cs,
           T* dst) {
  const int mr = uk.mr;
  for (std::int64_t ir = 0; ir < mc; ir += mr) {
    int rows = static_cast<int>(std::min<std::int64_t>(mr, mc - ir));
    const T* src = a + ir * rs;
    if (cs == 1 && uk.packRowsA) {
      uk.packRowsA(kc, src, rs, rows, dst);
      dst += mr * kc;
      continue;
    }
    if (cs == 1) {
      for (int i = 0; i < rows; ++i) {
        const T* row = src + i * rs;
        for (std::int64_t p = 0; p < kc; ++p) dst[p * mr + i] = row[p];
      }
    } else {
      for (std::int64_t p = 0; p < kc; ++p)
        for (int i = 0; i < rows; ++i) dst[p * mr + i] = src[i * rs + p * cs];
    }
    if (rows < mr)
      for (std::int64_t p = 0; p < kc; ++p)
        for (int i = rows; i < mr; ++i) dst[p * mr + i] = T(0);
    dst += mr * kc;
  }
}

/**
 * One full row of a B micro-panel: a copy of a size known at compile time for the usual panel
 * widths, which compiles to a few vector moves (a memcpy of a run-time size is a call, and on
 * wasm's threaded build a memory.copy: 6% of a 1024 product's time with 8-column panels).
 */
template <typename T> inline void copyPanelRow(T* out, const T* in, int nr) {
  switch (nr) {
    case 4: std::memcpy(out, in, 4 * sizeof(T)); return;
    case 8: std::memcpy(out, in, 8 * sizeof(T)); return;
    case 16: std::memcpy(out, in, 16 * sizeof(T)); return;
    case 32: std::memcpy(out, in, 32 * sizeof(T)); return;
    default: std::memcpy(out, in, nr * sizeof(T));
  }
}

/** Pack micro-panels [first, last) (of nr columns each) of a kc x nc block of B. */
template <typename T>
void packB(const MicroKernel<T>& uk, std::int64_t kc, std::int64_t nc, const T* b, std::int64_t rs, std::int64_t cs,
           std::int64_t first, std::int64_t last, T* dst) {
  const int nr = uk.nr;
  if (first >= last) return;
  if (cs == 1) {
    // Row by row: each source row is read once, front to back, and scattered to the panels.
    // (Panel by panel would revisit every row once per panel, which thrashes the cache when
    // the row stride is a multiple of 4 KiB.)
    std::int64_t j1 = std::min(nc, last * nr);
    for (std::int64_t p = 0; p < kc; ++p) {
      const T* row = b + p * rs;
      for (std::int64_t panel = first; panel < last; ++panel) {
        std::int64_t jr = panel * nr;
        int cols = static_cast<int>(std::min<std::int64_t>(nr, j1 - jr));
        T* out = dst + panel * nr * kc + p * nr;
        if (cols == nr) {
          copyPanelRow(out, row + jr, nr);
          continue;
        }
        std::memcpy(out, row + jr, cols * sizeof(T));
        for (int j = cols; j < nr; ++j) out[j] = T(0);
      }
    }
    return;
  }
  for (std::int64_t panel = first; panel < last; ++panel) {
    std::int64_t jr = panel * nr;
    int cols = static_cast<int>(std::min<std::int64_t>(nr, nc - jr));
    T* out = dst + panel * nr * kc;
    const T* src = b + jr * cs;
    if (rs == 1 && cols == nr && uk.packColumnsB) {
      uk.packColumnsB(kc, src, cs, out);
      continue;
    }
    for (std::int64_t p = 0; p < kc; ++p) {
      for (int j = 0; j < cols; ++j) out[p * nr + j] = src[p * rs + j * cs];
      for (int j = cols; j < nr; ++j) out[p * nr + j] = T(0);
    }
  }
}

/** An edge tile computed into `tile` (row stride nr): its rows x cols corner into C, added or stored. */
template <typename T>
void storeEdgeTile(const T* tile, std::int64_t nr, std::int64_t rows, std::int64_t cols, T* cTile, std::int64_t ldc, bool accumulate) {
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) cTile[i * ldc + j] = accumulate ? cTile[i * ldc + j] + tile[i * nr + j] : tile[i * nr + j];
}

template <typename T>
void macroKernelUnpackedA(const MicroKernel<T>& uk, std::int64_t mc, std::int64_t nc, std::int64_t kc, const T* a,
                          std::int64_t lda, const T* pb, T* c, std::int64_t ldc, bool accumulate, T* shortPanel);

/**
 * Whether a product multiplies A where it lies instead of packing it: A's rows are contiguous and
 * the thread multiplies them with few columns. A packed block of A pays for its copy by serving
 * many column panels; with 128 columns or fewer (the MLP's products, and each thread's half of
 * them) the copy costs more than reading the rows in place: measured on the 2-core AVX-512 EPYC,
 * 128 x 784 x 128 took 142 instead of 160 us on one thread and 95 instead of 120 on two. Rows
 * a multiple of 2 KiB apart put the tile's rows in the same few L1 sets (512 x 1024 x 128: 146
 * instead of 174 GFLOP/s): packed there.
 */
template <typename T> bool readsAInPlace(const MicroKernel<T>& uk, MatrixRef<T> a, std::int64_t columns) {
  constexpr std::int64_t kMaxInPlaceColumns = 128;
  constexpr std::int64_t kConflictingRowBytes = 2048;
  return a.colStride == 1 && uk.runUnpackedA && columns <= kMaxInPlaceColumns &&
         (a.rowStride * static_cast<std::int64_t>(sizeof(T))) % kConflictingRowBytes != 0;
}

/** C[mc x nc] (+)= packed A block times packed B block, tile by tile. */
template <typename T>
void macroKernel(const MicroKernel<T>& uk, std::int64_t mc, std::int64_t nc, std::int64_t kc, const T* pa, const T* pb,
                 T* c, std::int64_t ldc, bool accumulate) {
  alignas(64) T tile[16 * 64];
  for (std::int64_t jr = 0; jr < nc; jr += uk.nr) {
    std::int64_t cols = std::min<std::int64_t>(uk.nr, nc - jr);
    const T* bPanel = pb + jr * kc;
    for (std::int64_t ir = 0; ir < mc; ir += uk.mr) {
      std::int64_t rows = std::min<std::int64_t>(uk.mr, mc - ir);
      const T* aPanel = pa + ir * kc;
      T* cTile = c + ir * ldc + jr;
      if (rows == uk.mr && cols == uk.nr) {
        uk.run(kc, aPanel, bPanel, cTile, ldc, accumulate);
        continue;
      }
      uk.run(kc, aPanel, bPanel, tile, uk.nr, false);
      storeEdgeTile(tile, uk.nr, rows, cols, cTile, ldc, accumulate);
    }
  }
}

/**
 * C[mc x nc] (+)= rows [ic, ic + mc) of A, k from pc, times the packed B block: A read where it
 * lies (readsAInPlace; `aBuffer` then holds only rows short of a tile) or packed into `aBuffer`.
 */
template <typename T>
void multiplyRowBlock(const MicroKernel<T>& uk, std::int64_t mc, std::int64_t nc, std::int64_t kc, MatrixRef<T> a, std::int64_t ic,
                      std::int64_t pc, const T* pb, T* c, std::int64_t ldc, bool accumulate, bool aInPlace, T* aBuffer) {
  const T* aBlock = a.data + ic * a.rowStride + pc * a.colStride;
  if (aInPlace) return macroKernelUnpackedA(uk, mc, nc, kc, aBlock, a.rowStride, pb, c, ldc, accumulate, aBuffer);
  packA(uk, mc, kc, aBlock, a.rowStride, a.colStride, aBuffer);
  macroKernel(uk, mc, nc, kc, aBuffer, pb, c, ldc, accumulate);
}

// B is packed in chunks of this many micro-panels, claimed one at a time by the team: one panel
// each, so a block of few panels (n = 128: four) is not packed by one thread while the others wait.
constexpr std::int64_t kPanelsPerPackChunk = 1;

/**
 * One thread's part of a team GEMM: every thread walks the same (jc, pc) steps; in each, the
 * team packs one shared B block chunk by chunk, then claims row blocks (rowBlocks near-equal runs
 * of row micro-panels), packs their A and multiplies them against the block.
 */
template <typename T>
void teamGemm(TeamSchedule& schedule, std::int64_t rowBlocks, std::int64_t m, std::int64_t n, std::int64_t k,
              MatrixRef<T> a, MatrixRef<T> b, T* c, std::int64_t ldc, T* sharedB, T* ownA, bool aInPlace) {
  const MicroKernel<T>& uk = kernelFor<T>();
  using Bk = Blocking<T>;
  const std::int64_t rowPanels = (m + uk.mr - 1) / uk.mr;
  std::int64_t s = 0;
  for (std::int64_t jc = 0; jc < n; jc += Bk::NC) {
    std::int64_t nc = std::min(Bk::NC, n - jc);
    std::int64_t panels = (nc + uk.nr - 1) / uk.nr;
    std::int64_t packChunks = (panels + kPanelsPerPackChunk - 1) / kPanelsPerPackChunk;
    for (std::int64_t pc = 0; pc < k; pc += Bk::KC, ++s) {
      std::int64_t kc = std::min(Bk::KC, k - pc);
      StepCounters& step = schedule.step(s);
      const T* bBlock = b.data + pc * b.rowStride + jc * b.colStride;
      TeamSchedule::claimEach(step.packClaimed, step.packDone, packChunks, [&](std::int64_t chunk) {
        std::int64_t first = chunk * kPanelsPerPackChunk, last = std::min(panels, first + kPanelsPerPackChunk);
        packB(uk, kc, nc, bBlock, b.rowStride, b.colStride, first, last, sharedB);
      });
      TeamSchedule::waitFor(step.packDone, packChunks);
      TeamSchedule::claimEach(step.rowsClaimed, step.rowsDone, rowBlocks, [&](std::int64_t block) {
        std::int64_t p0, p1;
        splitRange(rowPanels, static_cast<int>(rowBlocks), static_cast<int>(block), p0, p1);
        std::int64_t ic = p0 * uk.mr, mc = std::min(p1 * uk.mr, m) - ic;
        multiplyRowBlock(uk, mc, nc, kc, a, ic, pc, sharedB, c + ic * ldc + jc, ldc, pc > 0, aInPlace, ownA);
      });
      // The next step repacks the shared B block, so everyone must be done reading this one.
      if (pc + kc < k || jc + nc < n) TeamSchedule::waitFor(step.rowsDone, rowBlocks);
    }
  }
}

template <typename T> std::size_t packABytes(const MicroKernel<T>& uk, std::int64_t mc, std::int64_t kc) {
  return static_cast<std::size_t>((mc + uk.mr) * kc) * sizeof(T);
}
template <typename T> std::size_t packBBytes(const MicroKernel<T>& uk, std::int64_t nc, std::int64_t kc) {
  return static_cast<std::size_t>((nc + uk.nr) * kc) * sizeof(T);
}

/**
 * All of A packed by one thread for the column parts of a product it runs: block (pc, ic) of the
 * k block at pc and the row block at ic lies at pc * paddedRows + ic * kc (paddedRows: m rounded up
 * to whole micro-panels). The first part a thread runs packs it; a further part (the pool thread
 * was late, so the caller claimed both) multiplies the same packed A instead of packing it again.
 * Null `data`: A is too large to keep, so every part packs it block by block.
 */
template <typename T> struct KeptA {
  T* data = nullptr;
  bool packed = false;
};

/**
 * Keep A whole for the column parts up to this size. The jitted MLP's products hold 400 KB; past a
 * few MiB the packed A no longer stays in cache and packing it is a small part of a wide product.
 */
constexpr std::size_t kMaxKeptABytes = std::size_t{4} << 20;

/**
 * One column part of a split GEMM on the calling thread: C's columns [0, n) from B's. The same
 * blocking (KC, row blocks of about MC rows, NC) and tiles as a one-thread gemm, so the same bits.
 */
template <typename T>
void columnPart(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<T> a, MatrixRef<T> b, T* c, std::int64_t ldc,
                KeptA<T>& kept, bool aInPlace) {
  const MicroKernel<T>& uk = kernelFor<T>();
  using Bk = Blocking<T>;
  const std::int64_t rowPanels = (m + uk.mr - 1) / uk.mr, paddedRows = rowPanels * uk.mr;
  const std::int64_t blocks = std::min(rowPanels, std::max<std::int64_t>(1, (m + Bk::MC - 1) / Bk::MC));
  const std::int64_t mcBlock = (rowPanels + blocks - 1) / blocks * uk.mr;
  const std::int64_t kc0 = std::min(Bk::KC, k), nc0 = std::min(Bk::NC, n);
  Workspace& ws = workspaces(1)[0];
  T* packedB = static_cast<T*>(ws.b.get(packBBytes(uk, nc0, kc0)));
  // Kept whole (never when read in place: the caller allocates none then), A needs no block.
  T* blockA = kept.data ? nullptr : static_cast<T*>(ws.a.get(packABytes(uk, mcBlock, kc0)));
  for (std::int64_t jc = 0; jc < n; jc += Bk::NC) {
    const std::int64_t nc = std::min(Bk::NC, n - jc);
    const std::int64_t panels = (nc + uk.nr - 1) / uk.nr;
    for (std::int64_t pc = 0; pc < k; pc += Bk::KC) {
      const std::int64_t kc = std::min(Bk::KC, k - pc);
      packB(uk, kc, nc, b.data + pc * b.rowStride + jc * b.colStride, b.rowStride, b.colStride, 0, panels, packedB);
      for (std::int64_t block = 0; block < blocks; ++block) {
        std::int64_t p0, p1;
        splitRange(rowPanels, static_cast<int>(blocks), static_cast<int>(block), p0, p1);
        const std::int64_t ic = p0 * uk.mr, mc = std::min(p1 * uk.mr, m) - ic;
        if (!kept.data) {
          multiplyRowBlock(uk, mc, nc, kc, a, ic, pc, packedB, c + ic * ldc + jc, ldc, pc > 0, aInPlace, blockA);
          continue;
        }
        T* packedA = kept.data + pc * paddedRows + ic * kc;
        if (!kept.packed) packA(uk, mc, kc, a.data + ic * a.rowStride + pc * a.colStride, a.rowStride, a.colStride, packedA);
        macroKernel(uk, mc, nc, kc, packedA, packedB, c + ic * ldc + jc, ldc, pc > 0);
      }
    }
    // Every block of A is packed after the first column block (this part's, or an earlier part's).
    if (kept.data) kept.packed = true;
  }
}

/**
 * Test hook (NABLA_GEMM_CALLER_PARTS=n, read at load): every product splits its columns into n
 * parts (where the column split applies for n threads), all run by the calling thread, as when the
 * pool threads are late; test/native/gemm-kept-a.test.ts checks the bits against one thread's.
 */
int callerPartsFromEnvironment() {
  const char* e = std::getenv("NABLA_GEMM_CALLER_PARTS");
  const long n = e ? std::strtol(e, nullptr, 10) : 0;
  return n > 1 && n <= 64 ? static_cast<int>(n) : 0;
}
const int gCallerParts = callerPartsFromEnvironment();

}  // namespace

void setGemmBlockingF32(std::int64_t kc, std::int64_t mc, std::int64_t nc) {
  if (kc < 1 || mc < 1 || nc < 1) return;
  Blocking<float>::KC = kc;
  Blocking<float>::MC = mc;
  Blocking<float>::NC = nc;
}

void selectGemmKernels(Simd simd) {
  gKernelF32 = scalarKernelF32();
  gKernelF64 = scalarKernelF64();
#if defined(__x86_64__) || defined(_M_X64)
  if (simd == Simd::Avx512) {
    gKernelF32 = avx512KernelF32();
    gKernelF64 = avx512KernelF64();
  } else if (simd == Simd::Avx2) {
    gKernelF32 = avx2KernelF32();
    gKernelF64 = avx2KernelF64();
  }
#elif defined(__aarch64__) || defined(_M_ARM64)
  if (simd == Simd::Neon) {
    gKernelF32 = neonKernelF32();
    gKernelF64 = neonKernelF64();
  }
#elif defined(__wasm_simd128__)
  // Chosen at compile time: a module built with -msimd128 only loads where the host has SIMD.
  (void)simd;
  gKernelF32 = wasmSimd128KernelF32();
  gKernelF64 = wasmSimd128KernelF64();
#else
  (void)simd;
#endif
}

template <typename T>
void gemm(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<T> a, MatrixRef<T> b, T* c, std::int64_t ldc,
          int threads) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (std::int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, T(0));
    return;
  }
  const MicroKernel<T>& uk = kernelFor<T>();
  using Bk = Blocking<T>;
  auto& pool = ThreadPool::current();
  if (threads > threadsAvailable()) threads = threadsAvailable();
  if (ThreadPool::insideJob()) threads = 1;
  const bool partsOnCaller = gCallerParts > 0 && !ThreadPool::insideJob();
  if (partsOnCaller) threads = gCallerParts;
  // Threads split the columns when each gets at least kMinPanelsPerThread micro-panels (or the
  // matrix is too short to split its rows): each then runs a whole one-thread GEMM on its own
  // columns, packing all of A itself (once, however many parts it runs: KeptA; or reading it in
  // place: readsAInPlace), with no waiting on the others. Measured on 2 cores with the AVX-512
  // kernel (32-column panels), that beats the team's shared B packing (and its barrier per k
  // block) by 10-25% from n = 256 up, and from n = 128 on the MLP's 128- and 256-row products
  // (128 x 784 x 128: 1.7-1.9x one thread's speed, against 1.05x for the team); the team keeps
  // the narrow products (n = 64: packing A twice would cost more than the barrier). Not measured
  // on many cores, where every thread packing all of A costs more.
  constexpr std::int64_t kMinPanelsPerThread = 2;
  std::int64_t rowPanels = (m + uk.mr - 1) / uk.mr;
  std::int64_t colPanels = (n + uk.nr - 1) / uk.nr;
  const bool splitColumns = colPanels >= kMinPanelsPerThread * threads || rowPanels < 2 * threads;
  const bool partsReadAInPlace = readsAInPlace(uk, a, (n + threads - 1) / threads);
  // A tall product whose A must be packed (784 x 128 x 128: x^T times the MLP's hidden gradient)
  // splits its rows instead, so that each thread packs only its share of A (and half of a small B):
  // 125 instead of 146 us on two threads, 784 x 256 x 128 215 instead of 257.
  constexpr std::int64_t kTallRatio = 4;
  const bool tallPackedA = !partsReadAInPlace && m >= kTallRatio * n && rowPanels >= 2 * threads;
  if (threads > 1 && splitColumns && !tallPackedA) {
    int team = static_cast<int>(std::min<std::int64_t>(threads, colPanels));
    if (team > 1) {
      // The column parts are claimed, so a part whose thread is late runs on the one that is free,
      // which then reuses the A it packed for its first part (unless it reads A in place).
      const std::size_t keptBytes = static_cast<std::size_t>(rowPanels * uk.mr * k) * sizeof(T);
      std::atomic<int> nextPart{0};
      auto task = [&](int) {
        KeptA<T> kept;
        for (int part = nextPart.fetch_add(1); part < team; part = nextPart.fetch_add(1)) {
          std::int64_t p0, p1;
          splitRange(colPanels, team, part, p0, p1);
          std::int64_t j0 = p0 * uk.nr, j1 = std::min(n, p1 * uk.nr);
          if (j0 >= j1) continue;
          // Taken only by a thread that got a part (one joining too late allocates nothing).
          if (!partsReadAInPlace && !kept.data && keptBytes <= kMaxKeptABytes) kept.data = static_cast<T*>(workspaces(1)[0].wholeA.get(keptBytes));
          MatrixRef<T> bPart{b.data + j0 * b.colStride, b.rowStride, b.colStride};
          columnPart<T>(m, j1 - j0, k, a, bPart, c + j0, ldc, kept, partsReadAInPlace);
        }
      };
      if (partsOnCaller) task(0);
      else pool.runJoinable(team, TaskRef(task));
      return;
    }
    threads = 1;
  }
  int team = static_cast<int>(std::min<std::int64_t>(threads, rowPanels));
  if (team < 1) team = 1;
  // Row blocks of about MC rows, as many as a multiple of the team: threads running at the same
  // speed then finish together, and a slowed one hands its remaining blocks to the others.
  std::int64_t blocks = std::max<std::int64_t>(team, (m + Bk::MC - 1) / Bk::MC);
  blocks = std::min(rowPanels, (blocks + team - 1) / team * team);
  std::int64_t mcBlock = (rowPanels + blocks - 1) / blocks * uk.mr;  // the largest block
  std::int64_t kc = std::min(Bk::KC, k), nc = std::min(Bk::NC, n);
  auto& slots = workspaces(static_cast<std::size_t>(team));
  T* sharedB = static_cast<T*>(slots[0].b.get(packBBytes(uk, nc, kc)));
  std::vector<T*> ownA(team);
  for (int t = 0; t < team; ++t) ownA[t] = static_cast<T*>(slots[t].a.get(packABytes(uk, mcBlock, kc)));
  TeamSchedule schedule(((n + Bk::NC - 1) / Bk::NC) * ((k + Bk::KC - 1) / Bk::KC));
  // Members take packing buffers in the order they join (a pool thread's id may exceed the team).
  std::atomic<int> nextMember{0};
  const bool aInPlace = readsAInPlace(uk, a, std::min(Bk::NC, n));
  auto task = [&](int) { teamGemm<T>(schedule, blocks, m, n, k, a, b, c, ldc, sharedB, ownA[nextMember.fetch_add(1)], aInPlace); };
  // Every phase of the team's schedule is claimed chunk by chunk, so members that never join
  // leave their chunks to the others.
  if (team > 1) pool.runJoinable(team, TaskRef(task));
  else task(0);
}

namespace {

// Header fields of a prepacked B (gemm.h): element indices.
enum PrepackedField { kMarker, kK, kN, kGroups, kNr, kKc, kDataStart, kFieldCount };
constexpr double kPrepackedMarker = 7411.0;  // "this is a prepacked B"; exact in float32

/** The first element index >= kFieldCount at which `buffer + index` is 64-byte aligned. */
template <typename T> std::int64_t alignedStart(const T* buffer) {
  constexpr std::int64_t perLine = 64 / sizeof(T);
  const auto address = reinterpret_cast<std::uintptr_t>(buffer + kFieldCount);
  if (address % sizeof(T)) return -1;
  const std::int64_t misaligned = static_cast<std::int64_t>(address % 64) / static_cast<std::int64_t>(sizeof(T));
  return kFieldCount + (perLine - misaligned) % perLine;
}

/**
 * macroKernel with A read where it lies (unit column stride, row stride lda) by the micro-kernel's
 * runUnpackedA: nothing is copied but the last rows short of a whole tile, which runUnpackedAShort
 * reads in place where the ISA has it, or else are packed into `shortPanel` (mr x kc) for the
 * packed kernel. Every tile sums in the packed kernel's order: bit-equal.
 */
template <typename T>
void macroKernelUnpackedA(const MicroKernel<T>& uk, std::int64_t mc, std::int64_t nc, std::int64_t kc, const T* a,
                          std::int64_t lda, const T* pb, T* c, std::int64_t ldc, bool accumulate, T* shortPanel) {
  alignas(64) T tile[16 * 64];
  const std::int64_t fullRows = mc / uk.mr * uk.mr;
  for (std::int64_t jr = 0; jr < nc; jr += uk.nr) {
    const std::int64_t cols = std::min<std::int64_t>(uk.nr, nc - jr);
    const T* bPanel = pb + jr * kc;
    for (std::int64_t ir = 0; ir < fullRows; ir += uk.mr) {
      T* cTile = c + ir * ldc + jr;
      if (cols == uk.nr) {
        uk.runUnpackedA(kc, a + ir * lda, lda, bPanel, cTile, ldc, accumulate);
        continue;
      }
      // A narrow last panel (n = 10 of 32 columns) needs only the first half of the tile.
      auto* run = cols * 2 <= uk.nr && uk.runUnpackedAHalf ? uk.runUnpackedAHalf : uk.runUnpackedA;
      run(kc, a + ir * lda, lda, bPanel, tile, uk.nr, false);
      storeEdgeTile(tile, uk.nr, uk.mr, cols, cTile, ldc, accumulate);
    }
  }
  if (fullRows == mc) return;
  if (uk.runUnpackedAShort) {
    const int rows = static_cast<int>(mc - fullRows);
    for (std::int64_t jr = 0; jr < nc; jr += uk.nr) {
      const std::int64_t cols = std::min<std::int64_t>(uk.nr, nc - jr);
      T* cTile = c + fullRows * ldc + jr;
      if (cols == uk.nr) {
        uk.runUnpackedAShort(rows, kc, a + fullRows * lda, lda, pb + jr * kc, cTile, ldc, accumulate);
        continue;
      }
      uk.runUnpackedAShort(rows, kc, a + fullRows * lda, lda, pb + jr * kc, tile, uk.nr, false);
      storeEdgeTile(tile, uk.nr, rows, cols, cTile, ldc, accumulate);
    }
    return;
  }
  packA(uk, mc - fullRows, kc, a + fullRows * lda, lda, 1, shortPanel);
  macroKernel(uk, mc - fullRows, nc, kc, shortPanel, pb, c + fullRows * ldc, ldc, accumulate);
}

/** One thread's share of a prepacked GEMM: rows [i0, i1) (multiples of mr) by panels [p0, p1). */
template <typename T>
void prepackedPart(std::int64_t i0, std::int64_t i1, std::int64_t p0, std::int64_t p1, std::int64_t n, std::int64_t k,
                   MatrixRef<T> a, const T* panels, T* c, std::int64_t ldc, const GemmEpilogue<T>* epilogue) {
  const MicroKernel<T>& uk = kernelFor<T>();
  using Bk = Blocking<T>;
  const std::int64_t allPanels = (n + uk.nr - 1) / uk.nr;
  const std::int64_t ncPanels = std::max<std::int64_t>(1, Bk::NC / uk.nr);
  const std::int64_t mcRows = std::max<std::int64_t>(uk.mr, Bk::MC / uk.mr * uk.mr);
  const std::int64_t kc0 = std::min(Bk::KC, k);
  const bool unpackedA = a.colStride == 1 && uk.runUnpackedA;
  T* ownA = static_cast<T*>(workspaces(1)[0].a.get(packABytes(uk, unpackedA ? 0 : std::min(mcRows, i1 - i0), kc0)));
  for (std::int64_t jp = p0; jp < p1; jp += ncPanels) {
    const std::int64_t jc = jp * uk.nr, nc = std::min(n, std::min(p1, jp + ncPanels) * uk.nr) - jc;
    for (std::int64_t pc = 0; pc < k; pc += Bk::KC) {
      const std::int64_t kc = std::min(Bk::KC, k - pc);
      const T* bBlock = panels + pc * allPanels * uk.nr + jp * kc * uk.nr;
      for (std::int64_t ic = i0; ic < i1; ic += mcRows) {
        const std::int64_t mc = std::min(mcRows, i1 - ic);
        multiplyRowBlock(uk, mc, nc, kc, a, ic, pc, bBlock, c + ic * ldc + jc, ldc, pc > 0, unpackedA, ownA);
        // The block's sums are complete after the last k block: add the bias while it is in cache.
        if (epilogue && pc + kc >= k) applyGemmEpilogue(*epilogue, c + ic * ldc + jc, ldc, mc, jc, nc);
      }
    }
  }
}

}  // namespace

template <typename T>
void prepackB(std::int64_t k, std::int64_t n, std::int64_t groups, MatrixRef<T> b, T* dst, std::int64_t dstLength) {
  if (dstLength < prepackedBLength(k, n, groups)) throw std::length_error("prepackB: destination too short");
  const MicroKernel<T>& uk = kernelFor<T>();
  using Bk = Blocking<T>;
  if (kPrepackedColumnAlign % uk.nr) throw std::logic_error("prepackB: micro-kernel panel width does not divide 32");
  std::fill(dst, dst + kPrepackedHeader, T(0));
  const std::int64_t start = alignedStart(dst);
  const T fields[kFieldCount] = {T(kPrepackedMarker), T(k), T(n), T(groups), T(uk.nr), T(Bk::KC), T(start)};
  std::copy(fields, fields + kFieldCount, dst);
  if (start < 0) return;  // not even element-aligned: never used (prepackedPanels says no)
  const std::int64_t panels = (n + uk.nr - 1) / uk.nr;
  for (std::int64_t g = 0; g < groups; ++g) {
    T* out = dst + start + g * prepackedGroupLength(k, n);
    const T* bg = b.data + g * n * b.colStride;
    for (std::int64_t pc = 0; pc < k; pc += Bk::KC) {
      const std::int64_t kc = std::min(Bk::KC, k - pc);
      packB(uk, kc, n, bg + pc * b.rowStride, b.rowStride, b.colStride, 0, panels, out + pc * panels * uk.nr);
    }
  }
}

template <typename T>
const T* prepackedPanels(const T* buffer, std::int64_t length, std::int64_t k, std::int64_t n, std::int64_t groups,
                         std::int64_t group) {
  const MicroKernel<T>& uk = kernelFor<T>();
  if (length < prepackedBLength(k, n, groups) || group < 0 || group >= groups) return nullptr;
  const T expected[kFieldCount] = {T(kPrepackedMarker), T(k), T(n), T(groups), T(uk.nr), T(Blocking<T>::KC), T(alignedStart(buffer))};
  for (int i = 0; i < kFieldCount; ++i)
    if (buffer[i] != expected[i]) return nullptr;
  if (expected[kDataStart] < T(0)) return nullptr;
  return buffer + static_cast<std::int64_t>(expected[kDataStart]) + group * prepackedGroupLength(k, n);
}

template <typename T>
void gemmPrepacked(std::int64_t m, std::int64_t n, std::int64_t k, MatrixRef<T> a, const T* panels, T* c,
                   std::int64_t ldc, int threads, const GemmEpilogue<T>* epilogue) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (std::int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, T(0));
    if (epilogue) applyGemmEpilogue(*epilogue, c, ldc, m, 0, n);
    return;
  }
  const MicroKernel<T>& uk = kernelFor<T>();
  auto& pool = ThreadPool::current();
  if (threads > threadsAvailable()) threads = threadsAvailable();
  if (ThreadPool::insideJob()) threads = 1;
  const std::int64_t rowPanels = (m + uk.mr - 1) / uk.mr, colPanels = (n + uk.nr - 1) / uk.nr;
  // B needs no packing, so the threads share nothing: each takes whole micro-panel ranges of
  // columns (wide products) or of rows, which keeps every tile where the unpacked GEMM puts it.
  constexpr std::int64_t kMinPanelsPerThread = 4;
  const bool byColumns = colPanels >= kMinPanelsPerThread * threads || rowPanels < 2 * threads;
  const int parts = static_cast<int>(std::min<std::int64_t>(threads, byColumns ? colPanels : rowPanels));
  if (parts <= 1) {
    prepackedPart<T>(0, m, 0, colPanels, n, k, a, panels, c, ldc, epilogue);
    return;
  }
  std::atomic<int> nextPart{0};
  auto task = [&](int) {
    for (int part = nextPart.fetch_add(1); part < parts; part = nextPart.fetch_add(1)) {
      std::int64_t q0, q1;
      splitRange(byColumns ? colPanels : rowPanels, parts, part, q0, q1);
      if (q0 >= q1) continue;
      if (byColumns) prepackedPart<T>(0, m, q0, q1, n, k, a, panels, c, ldc, epilogue);
      else prepackedPart<T>(q0 * uk.mr, std::min(m, q1 * uk.mr), 0, colPanels, n, k, a, panels, c, ldc, epilogue);
    }
  };
  pool.runJoinable(parts, TaskRef(task));
}

template <typename T>
bool fewRowsProduct(std::int64_t rows, std::int64_t n, std::int64_t k, const T* a, std::int64_t ai, std::int64_t ap, const T* b,
                    T* c) {
  const MicroKernel<T>& uk = kernelFor<T>();
  if (!uk.fewRows || rows <= 0 || n <= 0) return false;
  if (k <= 0) {
    std::fill(c, c + rows * n, T(0));
    return true;
  }
  uk.fewRows(rows, n, k, a, ai, ap, b, c);
  return true;
}

#define NABLA_PREPACKED(T)                                                                                         \
  template void prepackB<T>(std::int64_t, std::int64_t, std::int64_t, MatrixRef<T>, T*, std::int64_t);             \
  template const T* prepackedPanels<T>(const T*, std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t); \
  template void gemmPrepacked<T>(std::int64_t, std::int64_t, std::int64_t, MatrixRef<T>, const T*, T*, std::int64_t, int, const GemmEpilogue<T>*); \
  template bool fewRowsProduct<T>(std::int64_t, std::int64_t, std::int64_t, const T*, std::int64_t, std::int64_t, const T*, T*);
NABLA_PREPACKED(float)
NABLA_PREPACKED(double)
#undef NABLA_PREPACKED

template void gemm<float>(std::int64_t, std::int64_t, std::int64_t, MatrixRef<float>, MatrixRef<float>, float*, std::int64_t, int);
template void gemm<double>(std::int64_t, std::int64_t, std::int64_t, MatrixRef<double>, MatrixRef<double>, double*, std::int64_t, int);

}  // namespace nabla
