// The WebAssembly module's C interface: the same kernel entries (runEntry) and plans (KernelPlan)
// the N-API binding calls, reached through plain functions of pointers and numbers. Every
// failure is caught here and returned as a status, with its message kept for JS to read: a C++
// exception must never cross into JS (it would surface as an opaque wasm exception or a trap).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <emscripten/emscripten.h>
#if defined(NABLA_WASM_THREADS)
#include <emscripten/threading.h>
#include <pthread.h>
#endif

#include "../src/conv-algorithm.h"
#include "../src/cpu.h"
#include "../src/gemm/gemm.h"
#include "../src/kernel-call.h"
#include "../src/kernels.h"
#include "../src/plan.h"
#include "../src/thread-pool.h"

#define NABLA_EXPORT extern "C" EMSCRIPTEN_KEEPALIVE

namespace nabla {
namespace {

/** Statuses the exported functions return (src/backends/wasm/wasm-module.ts reads the same). */
enum Status : int { kOk = 0, kInputError = 1, kOutOfMemory = 2, kInternalError = 3 };

std::string gError;

template <typename F> int guarded(F&& body) {
  try {
    body();
    return kOk;
  } catch (const InputError& e) {
    gError = e.what();
    return kInputError;
  } catch (const std::bad_alloc&) {
    gError = "out of memory";
    return kOutOfMemory;
  } catch (const std::length_error&) {
    // A container asked for more than a 32-bit address space holds.
    gError = "out of memory";
    return kOutOfMemory;
  } catch (const std::exception& e) {
    gError = e.what();
    return kInternalError;
  }
}

/** A buffer list JS wrote into linear memory: per buffer, (address, element count, dtype code) as int32s. */
void readBuffers(const std::int32_t* desc, int count, std::vector<Buffer>& out) {
  out.clear();
  if (count < 0 || count > 4096) throw InputError("nabla wasm: bad buffer count " + std::to_string(count));
  for (int i = 0; i < count; ++i) {
    const std::int32_t code = desc[3 * i + 2];
    if (code < 0 || code > 3) throw InputError("nabla wasm: bad dtype code " + std::to_string(code));
    if (desc[3 * i + 1] < 0) throw InputError("nabla wasm: negative buffer length");
    Buffer b;
    b.data = reinterpret_cast<void*>(static_cast<std::uintptr_t>(static_cast<std::uint32_t>(desc[3 * i])));
    b.length = desc[3 * i + 1];
    b.dtype = static_cast<DType>(code);
    out.push_back(b);
  }
}

std::vector<Buffer> gBuffers, gOutputs;

/**
 * The pool every call runs on. One thread in the single-thread module; in the threaded one
 * (built with NABLA_WASM_THREADS) the host's workers attach to it through nabla_worker_loop.
 */
ThreadPool& pool() {
  static ThreadPool p(1);
  return p;
}

bool initialised = false;
void initialise() {
  if (initialised) return;
  initialised = true;
  selectGemmKernels(detectSimd());
}

}  // namespace
}  // namespace nabla

using namespace nabla;

/** `bytes` of 64-byte aligned memory, or 0 when linear memory cannot grow that far. */
NABLA_EXPORT void* nabla_alloc(std::uint32_t bytes) {
  void* p = nullptr;
  if (posix_memalign(&p, 64, bytes == 0 ? 64 : bytes) != 0) return nullptr;
  return p;
}

NABLA_EXPORT void nabla_free(void* p) { std::free(p); }

/** The message of the last failed call. */
NABLA_EXPORT const char* nabla_error() { return gError.c_str(); }

/** Run kernel entry `entry` (kEntries order) on `bufferCount` buffers and `wordCount` words. */
NABLA_EXPORT int nabla_run_entry(int entry, int op, const std::int32_t* buffers, int bufferCount, const double* words,
                                 int wordCount) {
  return guarded([&] {
    initialise();
    PoolScope scope(pool());
    readBuffers(buffers, bufferCount, gBuffers);
    KernelCall call;
    call.op = op;
    call.buffers = gBuffers.data();
    call.bufferCount = gBuffers.size();
    call.words = words;
    call.wordCount = wordCount < 0 ? 0 : static_cast<std::size_t>(wordCount);
    runEntry(entry, call);
  });
}

/** A plan from its descriptor (plan.h), written to *out; the status says whether it was made. */
NABLA_EXPORT int nabla_create_plan(const double* descriptor, int count, KernelPlan** out) {
  *out = nullptr;
  return guarded([&] {
    initialise();
    *out = new KernelPlan(descriptor, count < 0 ? 0 : static_cast<std::size_t>(count));
  });
}

NABLA_EXPORT void nabla_destroy_plan(KernelPlan* plan) { delete plan; }

NABLA_EXPORT int nabla_run_plan(KernelPlan* plan, const std::int32_t* inputs, int inputCount, const std::int32_t* outputs,
                                int outputCount, int threadCap) {
  return guarded([&] {
    if (!plan) throw InputError("runPlan: expected a plan from createPlan");
    readBuffers(inputs, inputCount, gBuffers);
    readBuffers(outputs, outputCount, gOutputs);
    PoolScope scope(pool());
    ThreadCap threads(threadCap);
    static PlanProfiler profiler;  // one calling thread: one profiler
    plan->run(gBuffers, gOutputs, profiler);
  });
}

NABLA_EXPORT int nabla_entry_count() { return static_cast<int>(kEntries.size()); }
NABLA_EXPORT const char* nabla_entry_name(int i) { return i >= 0 && i < nabla_entry_count() ? kEntries[i].name : nullptr; }
NABLA_EXPORT int nabla_entry_takes_op(int i) { return i >= 0 && i < nabla_entry_count() && kEntries[i].takesOp ? 1 : 0; }
NABLA_EXPORT int nabla_entry_output(int i) { return i >= 0 && i < nabla_entry_count() ? kEntries[i].outputIndex : 0; }

/** The name of op family `family` (opFamilies() in op-codes.h); 0 past the end. */
NABLA_EXPORT const char* nabla_op_family(int family) {
  const auto& families = opFamilies();
  return family >= 0 && family < static_cast<int>(families.size()) ? families[family].name : nullptr;
}

/** Op names of a family in code order; 0 past the end. */
NABLA_EXPORT const char* nabla_op_name(int family, int i) {
  if (!nabla_op_family(family)) return nullptr;
  const auto& names = opFamilies()[family].names();
  return i >= 0 && i < static_cast<int>(names.size()) ? names[i] : nullptr;
}

NABLA_EXPORT int nabla_threads() { return pool().size(); }

/** Threads calls may use from now on, the caller included (the threaded module's workers must attach to serve). */
NABLA_EXPORT void nabla_set_threads(int threads) { pool().resize(threads < 1 ? 1 : threads); }

/** Workers attached to the pool (0 in the single-thread module). */
NABLA_EXPORT int nabla_attached_workers() {
#if defined(NABLA_WASM_THREADS)
  return pool().attachedWorkers();
#else
  return 0;
#endif
}

/**
 * A job on `threads` pool threads whose last share throws, saying which thread ran it: a test
 * that an exception on a worker reaches the caller as a status, and that the pool serves on.
 */
NABLA_EXPORT int nabla_pool_check(int threads) {
  return guarded([&] {
    PoolScope scope(pool());
    const int t = threads < 1 ? 1 : threads > pool().size() ? pool().size() : threads;
    auto task = [&](int tid) {
      if (tid != t - 1) return;
#if defined(NABLA_WASM_THREADS)
      const char* where = emscripten_is_main_runtime_thread() ? "the calling thread" : "a worker";
#else
      const char* where = "the calling thread";
#endif
      throw InputError("pool check: share " + std::to_string(tid) + " of " + std::to_string(t) + " failed on purpose on " + where);
    };
    pool().run(t, TaskRef(task));
  });
}

#if defined(NABLA_WASM_THREADS)
/** The main thread's table of thread-specific values (musl's pthread_key_create.c). */
extern "C" void* __pthread_tsd_main[];

/**
 * A host worker's instance serves the pool here for good (src/backends/wasm/wasm-workers.ts sets
 * its stack and thread state first). Waits in memory.atomic.wait between jobs, so only a thread
 * that may block (a Worker, never a page's main thread) calls it.
 */
NABLA_EXPORT void nabla_worker_loop() { pool().attachWorker(); }

/**
 * A worker's thread control block (emscripten's pthread struct, which the C library reads for
 * locks and errno), made on the main thread: a copy of the main thread's (its locale and tables)
 * pointing at itself. kThreadBlockBytes is more than the struct (about 120 bytes in 3.1.6).
 */
NABLA_EXPORT void* nabla_new_thread_block() {
  constexpr std::size_t kThreadBlockBytes = 256;
  constexpr std::size_t kKeys = 128;  // PTHREAD_KEYS_MAX
  void** block = static_cast<void**>(std::calloc(1, kThreadBlockBytes));
  void** keys = static_cast<void**>(std::calloc(kKeys, sizeof(void*)));
  if (!block || !keys) {
    std::free(block);
    std::free(keys);
    return nullptr;
  }
  std::memcpy(block, reinterpret_cast<const void*>(pthread_self()), kThreadBlockBytes);
  block[0] = block;  // its `self`, the first field
  // Its own thread-specific values (the C++ runtime keeps each thread's exception state there):
  // the field that points at the main thread's table points at a fresh one.
  for (std::size_t i = 1; i < kThreadBlockBytes / sizeof(void*); ++i)
    if (block[i] == static_cast<void*>(__pthread_tsd_main)) block[i] = keys;
  return block;
}
#endif

/** Force the float32 forward convolution's algorithm (0 tiled, 1 gemm, 2 winograd, -1 the per-shape choice): NABLA_CONV_FORWARD's stand-in, the module having no environment. */
NABLA_EXPORT void nabla_set_conv_forward(int code) { convimpl::setForcedConvForward(code); }

/** Set float32's GEMM cache blocking (KC, MC, NC): NABLA_GEMM_TUNE's stand-in, for benchmarks. */
NABLA_EXPORT void nabla_set_gemm_blocking(int kc, int mc, int nc) { setGemmBlockingF32(kc, mc, nc); }

/** 1 when the module was built with 128-bit SIMD. */
NABLA_EXPORT int nabla_simd128() {
#ifdef __wasm_simd128__
  return 1;
#else
  return 0;
#endif
}
