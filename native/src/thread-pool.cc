#include "thread-pool.h"

#include <chrono>
#include <cstdlib>
#include <string>

#if defined(__linux__)
#include <sched.h>
#endif

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define NABLA_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define NABLA_PAUSE() asm volatile("yield")
#else
#define NABLA_PAUSE() ((void)0)
#endif

namespace nabla {

namespace {
thread_local bool tInsideJob = false;
// Set while a job runs serially on one thread: its barriers are no-ops.
thread_local bool tSerialJob = false;
// Callers waiting for a job's threads spin this many rounds before yielding the core.
constexpr int kSpinRounds = 4000;
// An idle pool thread spins this long before sleeping. The gaps between the kernels of a jitted
// step are often tens of microseconds; a thread asleep when a kernel splits joins only after a
// wake-up (a futex, or memory.atomic.notify and a host thread's wake on wasm: tens of microseconds,
// more than many of the kernels), by which time the caller has done most of the work alone. The
// spin was 4000 pause instructions (71 us on the 2-core EPYC; a few microseconds on wasm, which
// has no pause), short enough that workers slept before most of a step's split kernels.
// After the first kWorkerPauseMicros it yields between checks: on an idle core that costs nothing,
// and where other threads want the core (the caller's own, on a loaded machine) they get it.
constexpr double kWorkerSpinMicros = 200;
constexpr double kWorkerPauseMicros = 20;

thread_local ThreadPool* tCurrentPool = nullptr;

// A generation counts jobs in its upper bits; its lowest bit marks a joinable job.
constexpr std::uint64_t kJoinableBit = 1;
std::uint64_t nextGeneration(std::uint64_t g, bool joinable) { return ((g | kJoinableBit) + 1) | (joinable ? kJoinableBit : 0); }
// A joinable job's gate: the low 32 bits of its generation, a closed bit, the most threads that
// may join (15 bits), the threads inside (16 bits); one word, so a thread a job behind reads none
// of the current job's state but this.
constexpr std::uint64_t kGateClosed = std::uint64_t{1} << 31;
constexpr std::uint64_t kGateCount = 0xffff;
std::uint64_t gateFor(std::uint64_t generation, int limit) {
  return ((generation & 0xffffffffu) << 32) | (static_cast<std::uint64_t>(limit) << 16);
}

/** The cores this process may run on (its CPU affinity where the OS says, like os.availableParallelism()). */
int availableCores() {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  return 1;  // a WebAssembly module built without threads
#endif
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}
}  // namespace

int threadsFromEnvironment(std::string& warning) {
  const int cores = availableCores();
  const char* env = std::getenv("NABLA_NUM_THREADS");
  if (!env || !*env) return cores;
  const std::string text(env);
  bool digits = true;
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  // Ten digits or more: certainly more than the cores (and past what strtol may hold).
  const long n = !digits ? 0 : text.size() > 9 ? cores + 1L : std::strtol(env, nullptr, 10);
  if (n >= 1 && n <= cores) return static_cast<int>(n);
  const std::string cap = std::to_string(cores) + (cores == 1 ? " thread" : " threads");
  if (n > cores)
    warning = "NABLA_NUM_THREADS=" + text + " is more than the cores available (" + std::to_string(cores) + "); using " + cap;
  else
    warning = "NABLA_NUM_THREADS=\"" + text + "\" is not a whole number from 1 to " + std::to_string(cores) + " (the cores available); using " + cap;
  return cores;
}

ThreadPool& ThreadPool::current() {
  if (tCurrentPool) return *tCurrentPool;
  // No environment's call is running here: run serially (a one-thread pool starts no threads
  // and keeps no job state, so sharing it is safe).
  static ThreadPool serial(1);
  return serial;
}

namespace {
thread_local int tThreadCap = 0;
}

ThreadCap::ThreadCap(int cap) : previous_(tThreadCap) { tThreadCap = cap > 0 ? cap : 0; }
ThreadCap::~ThreadCap() { tThreadCap = previous_; }

int threadsAvailable() {
  const int size = ThreadPool::current().size();
  return tThreadCap > 0 && tThreadCap < size ? tThreadCap : size;
}

PoolScope::PoolScope(ThreadPool& pool) : previous_(tCurrentPool) { tCurrentPool = &pool; }
PoolScope::~PoolScope() { tCurrentPool = previous_; }

ThreadPool::ThreadPool(int threads) { startWorkers(threads); }

ThreadPool::~ThreadPool() { stopWorkers(); }

bool ThreadPool::insideJob() { return tInsideJob; }

void ThreadPool::startWorkers(int threads) {
  size_ = threads < 1 ? 1 : threads;
  stopping_ = false;
#if defined(NABLA_WASM_THREADS)
  return;  // the host's workers attach themselves (attachWorker)
#endif
  // Workers start from the current generation, read here: a job posted before a new thread
  // first runs must still count as new to it.
  std::uint64_t start = generation_.load();
  for (int tid = 1; tid < size_; ++tid) workers_.emplace_back([this, tid, start] { workerLoop(tid, start); });
}

void ThreadPool::stopWorkers() {
#if defined(NABLA_WASM_THREADS)
  return;  // the host's workers serve for the module's lifetime; a smaller size leaves some idle
#endif
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    generation_.store(nextGeneration(generation_.load(), false));
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

void ThreadPool::resize(int threads) {
  if (threads == size_) return;
  stopWorkers();
  startWorkers(threads);
}

void ThreadPool::workerLoop(int tid, std::uint64_t seen) {
  tInsideJob = true;
  tCurrentPool = this;
  for (;;) {
    spinWhileGeneration(seen);
    if (generation_.load(std::memory_order_acquire) == seen) sleepWhileGeneration(seen);
    seen = generation_.load(std::memory_order_acquire);
    if (stopping_) return;
    // Tasks are caught with catch (...) only: the threaded WebAssembly module's workers cannot
    // match a C++ exception by type (src/backends/wasm/wasm-module.ts says why); the caller does.
    // The generation's low bit says the job is joinable: its caller does not wait for this
    // thread, so this thread may be a job or more behind; the gate admits it to the current one only.
    if (seen & kJoinableBit) {
      if (enterJoinable(seen)) {
        try {
          (*task_.load(std::memory_order_acquire))(tid);
        } catch (...) {
          noteError();
        }
        joinedDone_.fetch_add(1, std::memory_order_acq_rel);
      }
      continue;
    }
    // Every worker the job counts acknowledges it (even one it sits out), so none falls behind
    // one whose caller waits for it. A wasm worker that attached after the job was counted skips it.
    if (tid > jobWorkers_) continue;
    if (tid < jobThreads_) {
      try {
        (*task_.load(std::memory_order_acquire))(tid);
      } catch (...) {
        noteError();
      }
    }
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}


void ThreadPool::spinWhileGeneration(std::uint64_t seen) const {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto yieldFrom = start + std::chrono::duration<double, std::micro>(kWorkerPauseMicros);
  const auto until = start + std::chrono::duration<double, std::micro>(kWorkerSpinMicros);
  bool yielding = false;
  for (int spins = 1; generation_.load(std::memory_order_acquire) == seen; ++spins) {
    if (yielding) std::this_thread::yield();
    else NABLA_PAUSE();
    if (spins % 64 != 0) continue;
    const auto now = Clock::now();
    if (now >= until) return;
    yielding = now >= yieldFrom;
  }
}

bool ThreadPool::enterJoinable(std::uint64_t generation) {
  std::uint64_t g = gate_.load(std::memory_order_acquire);
  for (;;) {
    if ((g >> 32) != (generation & 0xffffffffu) || (g & kGateClosed) || (g & kGateCount) >= ((g >> 16) & 0x7fff)) return false;
    if (gate_.compare_exchange_weak(g, g + 1, std::memory_order_acq_rel)) return true;
  }
}

void ThreadPool::sleepWhileGeneration(std::uint64_t seen) {
#if defined(NABLA_WASM_THREADS)
  // memory.atomic.wait64 returns at once when the generation moved on since this load, so a
  // job published between the check and the wait is never slept through (the publisher reads
  // sleepers_ after publishing; both sequentially consistent).
  sleepers_.fetch_add(1);
  while (generation_.load() == seen)
    __builtin_wasm_memory_atomic_wait64(reinterpret_cast<std::int64_t*>(&generation_), static_cast<std::int64_t>(seen), -1);
  sleepers_.fetch_sub(1);
#else
  std::unique_lock<std::mutex> lock(mutex_);
  sleepers_.fetch_add(1);
  wake_.wait(lock, [&] { return generation_.load() != seen; });
  sleepers_.fetch_sub(1);
#endif
}

void ThreadPool::publishAndRunShareZero(const TaskRef& task, bool joinable, int joinLimit) {
  {
#if !defined(NABLA_WASM_THREADS)
    std::lock_guard<std::mutex> lock(mutex_);
#endif
    task_.store(&task, std::memory_order_release);
    const std::uint64_t next = nextGeneration(generation_.load(), joinable);
    if (joinable) gate_.store(gateFor(next, joinLimit), std::memory_order_release);
    generation_.store(next);
  }
  if (sleepers_.load() > 0) {
#if defined(NABLA_WASM_THREADS)
    __builtin_wasm_memory_atomic_notify(reinterpret_cast<int*>(&generation_), 0xffffffffu);
#else
    wake_.notify_all();
#endif
  }
  tInsideJob = true;
  try {
    task(0);
  } catch (...) {
    noteError();
  }
  tInsideJob = false;
}

void ThreadPool::rethrowNotedError() {
  if (!error_) return;
  std::exception_ptr e = error_;
  error_ = nullptr;
  std::rethrow_exception(e);
}

int ThreadPool::workersReady() const {
#if defined(NABLA_WASM_THREADS)
  return std::min(attached_.load(), size_ - 1);
#else
  return size_ - 1;
#endif
}

#if defined(NABLA_WASM_THREADS)
void ThreadPool::attachWorker() {
  // The generation is read before the worker is counted: a job counted with it is new to it.
  const std::uint64_t seen = generation_.load();
  const int tid = attached_.fetch_add(1) + 1;
  workerLoop(tid, seen);
}
#endif

void ThreadPool::runJoinable(int threads, TaskRef task) {
  if (threads > 1 + workersReady()) threads = 1 + workersReady();
  if (threads <= 1 || tInsideJob) {
    task(0);
    return;
  }
  error_ = nullptr;
  joinedDone_.store(0, std::memory_order_relaxed);
  jobThreads_ = 1;  // no barriers
  publishAndRunShareZero(task, true, threads - 1);
  // Close the gate: threads that come later skip this job; wait for those already inside.
  const int joined = static_cast<int>(gate_.fetch_or(kGateClosed, std::memory_order_acq_rel) & kGateCount);
  int spins = 0;
  while (joinedDone_.load(std::memory_order_acquire) != joined) {
    if (++spins < kSpinRounds) NABLA_PAUSE();
    else std::this_thread::yield();
  }
  rethrowNotedError();
}

void ThreadPool::noteError() {
  std::lock_guard<std::mutex> lock(errorMutex_);
  if (!error_) error_ = std::current_exception();
}

void ThreadPool::run(int threads, TaskRef task) {
  if (threads > size_) threads = size_;
  // Read once: the workers this job counts on (a wasm worker attaching meanwhile sits it out).
  // Shares are fixed by `threads`, so with too few workers attached yet all run here in turn.
  const int workers = workersReady();
  if (threads <= 1 || tInsideJob || threads > 1 + workers) {
    struct SerialScope {
      bool was = tSerialJob;
      SerialScope() { tSerialJob = true; }
      ~SerialScope() { tSerialJob = was; }
    } serial;
    for (int tid = 0; tid < threads || tid == 0; ++tid) task(tid);
    return;
  }
  error_ = nullptr;
  jobThreads_ = threads;
  jobWorkers_ = workers;
  arrived_.store(0);
  pending_.store(workers, std::memory_order_release);
  publishAndRunShareZero(task, false, 0);
  int spins = 0;
  while (pending_.load(std::memory_order_acquire) != 0) {
    if (++spins < kSpinRounds) NABLA_PAUSE();
    else std::this_thread::yield();
  }
  task_.store(nullptr, std::memory_order_relaxed);
  rethrowNotedError();
}

void ThreadPool::barrier() {
  if (jobThreads_ <= 1 || !tInsideJob || tSerialJob) return;
  std::uint32_t phase = phase_.load(std::memory_order_acquire);
  if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == jobThreads_) {
    arrived_.store(0, std::memory_order_relaxed);
    phase_.fetch_add(1, std::memory_order_release);
    return;
  }
  int spins = 0;
  while (phase_.load(std::memory_order_acquire) == phase) {
    if (++spins < kSpinRounds) NABLA_PAUSE();
    else std::this_thread::yield();
  }
}

int threadsFor(std::int64_t work) {
  if (ThreadPool::insideJob()) return 1;
  return threadsForWork(work, threadsAvailable());
}

}  // namespace nabla
