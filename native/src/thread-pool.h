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

  int size_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  bool stopping_ = false;
  const TaskRef* task_ = nullptr;
  int jobThreads_ = 0;
  std::mutex errorMutex_;
  std::exception_ptr error_;
  // Barrier state: arrivals and a phase that flips each time everyone has arrived.
  std::atomic<int> arrived_{0};
  std::atomic<std::uint32_t> phase_{0};
};

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

/** Threads worth using for `work` element-operations (1 below the size where threading pays). */
int threadsFor(std::int64_t work);

/** Run body(begin, end) over [0, n), split across threads when there is enough work. */
template <typename F> void parallelFor(std::int64_t n, std::int64_t workPerItem, F&& body) {
  int t = threadsFor(n * workPerItem);
  if (t > n) t = static_cast<int>(n > 0 ? n : 1);
  if (t <= 1) {
    body(std::int64_t{0}, n);
    return;
  }
  auto task = [&](int tid) {
    std::int64_t b, e;
    splitRange(n, t, tid, b, e);
    if (b < e) body(b, e);
  };
  ThreadPool::current().run(t, TaskRef(task));
}

}  // namespace nabla
