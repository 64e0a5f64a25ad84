// Pools of worker threads, one per Node environment (the main thread and each worker thread
// that loads the addon), sized to the cores (NABLA_NUM_THREADS overrides). Work is split
// statically by thread index, so results depend only on the thread count, never on timing.
//
// One pool per environment rather than one shared pool behind a lock: a job's state (the task,
// the counters, the barrier) is then only ever touched by one JS thread and its own pool threads,
// so no environment waits for another's job, and `setThreads` in a worker cannot change the
// thread count (and so the bits) of a computation running in another. The cost is more threads
// when several workers compute at once (idle pool threads sleep after a short spin).
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nabla {

/** A non-owning reference to a callable `void(int tid)`, so running a job allocates nothing. */
class TaskRef {
 public:
  template <typename F>
  TaskRef(F& f) : obj_(&f), call_([](void* o, int tid) { (*static_cast<F*>(o))(tid); }) {}
  void operator()(int tid) const { call_(obj_, tid); }

 private:
  void* obj_;
  void (*call_)(void*, int);
};

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /**
   * The pool of the environment whose call runs on this thread (set by a PoolScope in the
   * binding, and on each pool thread for its own pool); a one-thread pool if none is set.
   */
  static ThreadPool& current();

  /** Threads a job may use, the calling thread included. */
  int size() const { return size_; }
  void resize(int threads);

  /**
   * Run task(tid) for tid in [0, threads) and wait for all; tid 0 runs on the caller.
   * Called from inside a task it runs serially, so nested parallel code is safe. An exception
   * thrown by any thread's task (std::bad_alloc for a huge scratch buffer) is rethrown here once
   * every thread is done, so it becomes a JS error instead of terminating the process.
   */
  void run(int threads, TaskRef task);

  /**
   * Run task(tid) on the caller and on the pool threads (at most threads - 1 of them) that are
   * awake before the caller has finished; wait only for those that joined. The task must claim its
   * work from shared counters until none is left (and so must never call barrier()): a pool
   * thread that the OS has paused, or that sleeps, then costs the job nothing, which a split into
   * fixed per-thread shares cannot offer on shared cores (measured: an add of 65,536 floats took
   * 8 us on one thread and 156 us split in two while other processes kept the second core busy).
   */
  void runJoinable(int threads, TaskRef task);

#if defined(NABLA_WASM_THREADS)
  /**
   * Serve this pool's jobs on the calling thread until the module goes away (a host worker of the
   * threaded WebAssembly module calls it once its stack and thread state are set). Workers get
   * thread indices in the order they attach; jobs use those attached, up to size() - 1.
   */
  void attachWorker();
  /** Workers attached so far. */
  int attachedWorkers() const { return attached_.load(); }
#endif

  /** Wait until every thread of the running job has arrived (only inside run's tasks). */
  void barrier();

  /** True on a pool thread, or on the caller while it runs a job. */
  static bool insideJob();

  ~ThreadPool();

 private:
  friend class PoolScope;
  void workerLoop(int tid, std::uint64_t seen);
  void stopWorkers();
  void startWorkers(int threads);
  /** Keep the first exception a task threw during the current job. */
  void noteError();
  /** Join the joinable job of `generation` if its gate is still open and has room. */
  bool enterJoinable(std::uint64_t generation);
  /** Publish `task` as the next job (joinable by at most joinLimit threads), wake sleepers, run share 0 here. */
  void publishAndRunShareZero(const TaskRef& task, bool joinable, int joinLimit);
  /** Rethrow the first exception a thread of the finished job threw, if any. */
  void rethrowNotedError();
  /** Spin a short while (until the generation is no longer `seen`, or the spin runs out). */
  void spinWhileGeneration(std::uint64_t seen) const;
  /** Sleep until the generation is no longer `seen`. */
  void sleepWhileGeneration(std::uint64_t seen);
  /** Worker threads a job may count on now. */
  int workersReady() const;

  int size_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  bool stopping_ = false;
  std::atomic<const TaskRef*> task_{nullptr};
  int jobThreads_ = 0;
  // Workers the current non-joinable job counts on (those with thread index up to it acknowledge).
  int jobWorkers_ = 0;
  // Host workers attached (the threaded WebAssembly module; none elsewhere).
  std::atomic<int> attached_{0};
  std::mutex errorMutex_;
  std::exception_ptr error_;
  // Barrier state: arrivals and a phase that flips each time everyone has arrived.
  std::atomic<int> arrived_{0};
  std::atomic<std::uint32_t> phase_{0};
  // A joinable job's gate (thread-pool.cc says its layout) and the joined threads that are done.
  std::atomic<std::uint64_t> gate_{0};
  std::atomic<int> joinedDone_{0};
};

/**
 * At most `cap` threads for the kernels this thread starts during the scope (0: the pool's size):
 * a jit plan whose replays measured faster on fewer threads than the pool has runs on that many.
 * The kernels read it where they choose their thread counts (threadsAvailable), so results do not
 * change: every kernel gives the same bits on any thread count.
 */
class ThreadCap {
 public:
  explicit ThreadCap(int cap);
  ~ThreadCap();
  ThreadCap(const ThreadCap&) = delete;
  ThreadCap& operator=(const ThreadCap&) = delete;

 private:
  int previous_;
};

/** Threads the kernels of this call may use: the current pool's size, or less under a ThreadCap. */
int threadsAvailable();

/** Makes `pool` the current pool of this thread for the scope's lifetime. */
class PoolScope {
 public:
  explicit PoolScope(ThreadPool& pool);
  ~PoolScope();
  PoolScope(const PoolScope&) = delete;
  PoolScope& operator=(const PoolScope&) = delete;

 private:
  ThreadPool* previous_;
};

/**
 * The pool size NABLA_NUM_THREADS asks for, capped at the cores this process may use; `warning`
 * gets a sentence when the variable is set but not a whole number from 1 to that cap.
 */
int threadsFromEnvironment(std::string& warning);

/** Split [0, n) into `parts` contiguous ranges; part p gets [begin, end). */
inline void splitRange(std::int64_t n, int parts, int p, std::int64_t& begin, std::int64_t& end) {
  std::int64_t base = n / parts, extra = n % parts;
  begin = p * base + (p < extra ? p : extra);
  end = begin + base + (p < extra ? 1 : 0);
}

/**
 * Element-operations each thread must get before a split pays for handing work to a pool thread.
 * A waiting native thread joins within a microsecond or so (it spins, then sleeps on a futex);
 * a wasm worker that has gone to sleep needs memory.atomic.notify and a host thread's wake-up,
 * so on wasm each share must be larger before the second thread gains.
 */
#if defined(NABLA_WASM_THREADS)
inline constexpr std::int64_t kMinWorkPerThread = std::int64_t{1} << 16;
#else
inline constexpr std::int64_t kMinWorkPerThread = std::int64_t{1} << 15;
#endif

/** The thread count for `work` on a pool of `poolSize`: one per kMinWorkPerThread, at least 1. */
inline int threadsForWork(std::int64_t work, int poolSize) {
  const std::int64_t t = work / kMinWorkPerThread;
  if (t < 1) return 1;
  return t < poolSize ? static_cast<int>(t) : poolSize;
}

/** Threads worth using for `work` element-operations on the current pool (1 inside a job). */
int threadsFor(std::int64_t work);

/** Claim counters of parallelFor: `count` contiguous shares of [0, blocks), each on its own cache line. */
struct ShareCounters {
  static constexpr int kMaxShares = 16;
  struct alignas(64) Share {
    std::atomic<std::int64_t> next{0};
    std::int64_t end = 0;
  };
  Share share[kMaxShares];
  int count;
  ShareCounters(std::int64_t blocks, int threads) : count(threads < kMaxShares ? threads : kMaxShares) {
    for (int s = 0; s < count; ++s) {
      std::int64_t begin, end;
      splitRange(blocks, count, s, begin, end);
      share[s].next.store(begin, std::memory_order_relaxed);
      share[s].end = end;
    }
  }
};

/**
 * Run body(begin, end) over [0, n), in blocks that the caller and whichever pool threads are free
 * claim one at a time when there is enough work. Blocks of about kBlockWork element-operations: a
 * thread joining late (or never) leaves its blocks to the others. One call covers [0, n) when
 * it runs on one thread; bodies write only their own items, so results never depend on the split.
 *
 * Each thread claims from its own contiguous share first (thread t from the t-th of t equal runs
 * of blocks), then from the others': when every thread is on time, consecutive loops over the same
 * arrays (a jitted Adam step's three updates) find their data in the cache of the core that wrote
 * it. Claiming from one counter scattered the blocks, and the two-thread MLP step's moment updates
 * took 29-33 us each instead of 20-26 on one thread; from own shares 21-26.
 */
template <typename F> void parallelFor(std::int64_t n, std::int64_t workPerItem, F&& body) {
  int t = threadsFor(n * workPerItem);
  if (t <= 1 || n <= 1) {
    body(std::int64_t{0}, n);
    return;
  }
  constexpr std::int64_t kBlockWork = std::int64_t{1} << 15;
  const std::int64_t perItem = workPerItem > 0 ? workPerItem : 1;
  // At least four blocks per thread, so a slow thread's last block is a small part of the job.
  std::int64_t block = std::max<std::int64_t>(1, std::min((kBlockWork + perItem - 1) / perItem, n / (4 * t)));
  const std::int64_t blocks = (n + block - 1) / block;
  ShareCounters shares(blocks, t);
  auto task = [&](int tid) {
    for (int i = 0; i < shares.count; ++i) {
      ShareCounters::Share& share = shares.share[(tid + i) % shares.count];
      for (std::int64_t b = share.next.fetch_add(1, std::memory_order_relaxed); b < share.end; b = share.next.fetch_add(1, std::memory_order_relaxed))
        body(b * block, std::min(n, (b + 1) * block));
    }
  };
  ThreadPool::current().runJoinable(t, TaskRef(task));
}

}  // namespace nabla
