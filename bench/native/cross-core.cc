// Two questions about the jitted MLP step on two threads, measured without perf counters (the VM
// has none):
//  1. What does reading data that the other core just wrote cost, against reading data this core
//     wrote? (400 KB: one weight matrix of the MLP; 1.6 MB: the Adam update's four 100K arrays.)
//  2. What does one job of the pool (native/src/thread-pool.cc) cost when it does almost nothing,
//     with the worker still spinning from the last job, and after it went to sleep?
// Build and run (Linux):
//   g++ -O3 -march=native -std=c++17 -pthread -Inative/src bench/native/cross-core.cc native/src/thread-pool.cc -o /tmp/cross-core && /tmp/cross-core
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "thread-pool.h"

using Clock = std::chrono::steady_clock;
static double usSince(Clock::time_point t) { return std::chrono::duration<double, std::micro>(Clock::now() - t).count(); }
static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
static void pin(int core) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(core, &s);
  sched_setaffinity(0, sizeof(s), &s);
}

// A pinned thread that runs whatever closure it is handed and reports back.
struct Pinned {
  std::atomic<int> state{0};  // 0 idle, 1 go, 2 stop
  void (*fn)(void*) = nullptr;
  void* arg = nullptr;
  std::thread t;
  explicit Pinned(int core) {
    t = std::thread([this, core] {
      pin(core);
      for (;;) {
        int s;
        while ((s = state.load(std::memory_order_acquire)) == 0) {}
        if (s == 2) return;
        fn(arg);
        state.store(0, std::memory_order_release);
      }
    });
  }
  template <typename F> void runSync(F& f) {
    fn = [](void* a) { (*static_cast<F*>(a))(); };
    arg = &f;
    state.store(1, std::memory_order_release);
    while (state.load(std::memory_order_acquire) != 0) {}
  }
  ~Pinned() {
    state.store(2);
    t.join();
  }
};

static void crossCore(std::size_t bytes) {
  const std::size_t n = bytes / sizeof(float);
  std::vector<float> buf(n, 1.0f);
  Pinned c0(0), c1(1);
  volatile float sink = 0;
  float step = 1.0f;
  auto write = [&] {
    for (std::size_t i = 0; i < n; ++i) buf[i] = buf[i] * 0.5f + step;
  };
  double readSec = 0;
  auto update = [&] {  // read-modify-write, like the Adam update of a gradient's weights
    auto t = Clock::now();
    for (std::size_t i = 0; i < n; ++i) buf[i] = buf[i] * 0.999f + 0.001f;
    readSec = usSince(t);
  };
  auto read = [&] {
    auto t = Clock::now();
    // Sixteen independent sums, so the loop runs at the cache's speed rather than an add's latency.
    float s[16] = {};
    for (std::size_t i = 0; i + 16 <= n; i += 16)
      for (int j = 0; j < 16; ++j) s[j] += buf[i + j];
    float total = 0;
    for (float x : s) total += x;
    sink = total;
    readSec = usSince(t);
  };
  std::vector<double> sameRead, otherRead, sameUpd, otherUpd, halfUpd;
  for (int r = 0; r < 200; ++r) {
    step += 1;
    c0.runSync(write);
    c0.runSync(read);
    sameRead.push_back(readSec);
    c0.runSync(write);
    c1.runSync(read);
    otherRead.push_back(readSec);
    c0.runSync(write);
    c0.runSync(update);
    sameUpd.push_back(readSec);
    c0.runSync(write);
    c1.runSync(update);
    otherUpd.push_back(readSec);
  }
  std::printf("%7zu KB: read %6.1f us same core, %6.1f us other core; update %6.1f / %6.1f us\n", bytes / 1024, median(sameRead),
              median(otherRead), median(sameUpd), median(otherUpd));
}

// The MLP step's pattern: a 784 x 128 product written by two cores, each its half of the columns
// (the GEMM's column split), then an elementwise update of all of it (Adam's), on one core or split.
static void splitProductThenUpdate() {
  const int rows = 784, cols = 128;
  std::vector<float> c(rows * cols, 1.0f);
  Pinned c0(0), c1(1);
  float step = 1;
  double t0s = 0, t1s = 0;
  auto writeCols = [&](int j0, int j1) {
    for (int i = 0; i < rows; ++i)
      for (int j = j0; j < j1; ++j) c[i * cols + j] = c[i * cols + j] * 0.5f + step;
  };
  auto updateRange = [&](int e0, int e1) {
    for (int e = e0; e < e1; ++e) c[e] = c[e] * 0.999f + 0.001f;
  };
  auto w0all = [&] { writeCols(0, cols); };
  auto w0 = [&] { writeCols(0, cols / 2); };
  auto w1 = [&] { writeCols(cols / 2, cols); };
  auto u0all = [&] { auto t = Clock::now(); updateRange(0, rows * cols); t0s = usSince(t); };
  auto u0half = [&] { auto t = Clock::now(); updateRange(0, rows * cols / 2); t0s = usSince(t); };
  auto u1half = [&] { auto t = Clock::now(); updateRange(rows * cols / 2, rows * cols); t1s = usSince(t); };
  auto u0cols = [&] { auto t = Clock::now(); for (int i = 0; i < rows; ++i) updateRange(i * cols, i * cols + cols / 2); t0s = usSince(t); };
  auto u1cols = [&] { auto t = Clock::now(); for (int i = 0; i < rows; ++i) updateRange(i * cols + cols / 2, (i + 1) * cols); t1s = usSince(t); };
  std::vector<double> a, b, cc, d;
  for (int r = 0; r < 300; ++r) {
    step += 1;
    c0.runSync(w0all); c0.runSync(u0all); a.push_back(t0s);
    c0.runSync(w0); c1.runSync(w1); c0.runSync(u0all); b.push_back(t0s);
    // The halves run one after the other (each core's time alone), so the figures are per core.
    c0.runSync(w0); c1.runSync(w1); c0.runSync(u0half); c1.runSync(u1half); cc.push_back(std::max(t0s, t1s));
    c0.runSync(w0); c1.runSync(w1); c0.runSync(u0cols); c1.runSync(u1cols); d.push_back(std::max(t0s, t1s));
  }
  std::printf("784 x 128 update: written by core 0, updated on it %.1f us; written by both (column halves), updated on core 0 %.1f us, "
              "by halves of the elements (slower half) %.1f us, by the same column halves %.1f us\n",
              median(a), median(b), median(cc), median(d));
}

static void poolJobs() {
  nabla::ThreadPool pool(2);
  nabla::PoolScope scope(pool);
  std::atomic<int> joined{0};
  auto task = [&](int tid) {
    if (tid != 0) joined.fetch_add(1);
  };
  nabla::TaskRef ref(task);
  for (double gapUs : {0.0, 20.0, 100.0, 300.0, 1000.0}) {
    std::vector<double> fixedJob, joinableJob;
    int joinedCount = 0;
    for (int r = 0; r < 400; ++r) {
      auto until = Clock::now() + std::chrono::duration<double, std::micro>(gapUs);
      while (Clock::now() < until) {}
      auto t = Clock::now();
      pool.run(2, ref);
      fixedJob.push_back(usSince(t));
      until = Clock::now() + std::chrono::duration<double, std::micro>(gapUs);
      while (Clock::now() < until) {}
      joined = 0;
      t = Clock::now();
      pool.runJoinable(2, ref);
      joinableJob.push_back(usSince(t));
      joinedCount += joined.load();
    }
    std::printf("gap %6.0f us before a job: fixed-share job %6.2f us, joinable job %6.2f us (the worker joined %d of 400)\n", gapUs,
                median(fixedJob), median(joinableJob), joinedCount);
  }
}

// How soon a pool thread joins a joinable job, after `gap` us without jobs (the kernels between a
// step's products): the caller waits up to 50 us for it.
static void joinLatency() {
  nabla::ThreadPool pool(2);
  nabla::PoolScope scope(pool);
  for (double gapUs : {0.0, 10.0, 50.0, 150.0, 400.0}) {
    std::vector<double> lat;
    int never = 0;
    for (int r = 0; r < 400; ++r) {
      auto until = Clock::now() + std::chrono::duration<double, std::micro>(gapUs);
      while (Clock::now() < until) {}
      std::atomic<int> joined{0};
      double seen = -1;
      Clock::time_point start;
      auto task = [&](int tid) {
        if (tid != 0) {
          joined.store(1);
          return;
        }
        while (!joined.load() && usSince(start) < 50) {}
        if (joined.load()) seen = usSince(start);
      };
      start = Clock::now();
      pool.runJoinable(2, nabla::TaskRef(task));
      if (seen < 0) ++never; else lat.push_back(seen);
    }
    std::sort(lat.begin(), lat.end());
    auto at = [&](double f) { return lat.empty() ? -1.0 : lat[static_cast<std::size_t>(f * (lat.size() - 1))]; };
    std::printf("gap %5.0f us: the worker joined within 50 us %3zu of 400 times; latency p10 %.2f, p50 %.2f, p90 %.2f us\n", gapUs,
                lat.size(), at(0.1), at(0.5), at(0.9));
    (void)never;
  }
}

int main() {
  if (std::getenv("JOIN_ONLY")) {
    joinLatency();
    return 0;
  }
  for (std::size_t kb : {100, 400, 1600}) crossCore(kb * 1024);
  splitProductThenUpdate();
  poolJobs();
  joinLatency();
}
