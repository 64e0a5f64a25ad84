// Work sharing inside one multi-threaded GEMM: the threads of a team claim chunks of each
// (jc, pc) step's B packing and then its row blocks from shared counters, so a thread that the
// OS pauses (the cores are often shared) delays the team by one chunk, not by its whole share.
// Which thread computes a tile never changes how the tile is computed, so results stay the
// same bits whatever the timing.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define NABLA_GEMM_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define NABLA_GEMM_PAUSE() asm volatile("yield")
#else
#define NABLA_GEMM_PAUSE() ((void)0)
#endif

namespace nabla {

/** Claim and completion counters of one step; each counts chunks of its phase. */
struct StepCounters {
  std::atomic<std::int64_t> packClaimed{0}, packDone{0}, rowsClaimed{0}, rowsDone{0};
};

class TeamSchedule {
 public:
  explicit TeamSchedule(std::int64_t steps) : steps_(new StepCounters[steps]) {}

  StepCounters& step(std::int64_t s) { return steps_[s]; }

  /** Run body(chunk) for every chunk of [0, chunks) this thread claims. */
  template <typename F> static void claimEach(std::atomic<std::int64_t>& claimed, std::atomic<std::int64_t>& done,
                                              std::int64_t chunks, F&& body) {
    for (;;) {
      std::int64_t chunk = claimed.fetch_add(1, std::memory_order_relaxed);
      if (chunk >= chunks) return;
      body(chunk);
      done.fetch_add(1, std::memory_order_release);
    }
  }

  /** Wait until `done` reaches `chunks`: everything the team wrote for that phase is visible. */
  static void waitFor(const std::atomic<std::int64_t>& done, std::int64_t chunks) {
    int spins = 0;
    while (done.load(std::memory_order_acquire) < chunks) {
      // Spin briefly (the usual wait is a chunk's tail), then let a paused teammate have the core.
      if (++spins < 2000) NABLA_GEMM_PAUSE();
      else std::this_thread::yield();
    }
  }

 private:
  std::unique_ptr<StepCounters[]> steps_;
};

}  // namespace nabla
