// Work split into blocks that the pool's threads claim one at a time, for the window kernels.
// The cores are shared with other processes: with a static split, a thread the OS pauses makes
// the others wait for its whole share; with claimed blocks it delays the job by one block.
#pragma once

#include <algorithm>
#include <atomic>

#include "common.h"
#include "thread-pool.h"

namespace nabla {

/**
 * Run body(begin, end) over [0, n) in blocks of `block` items, claimed one at a time by up to
 * `threads` pool threads. Each block must write only its own outputs, so that results do not
 * depend on which thread ran it.
 */
template <typename F> void forEachClaimedBlock(i64 n, i64 block, int threads, F&& body) {
  block = std::max<i64>(1, block);
  const i64 blocks = (n + block - 1) / block;
  threads = static_cast<int>(std::min<i64>(threads, blocks));
  if (threads <= 1) {
    for (i64 s = 0; s < n; s += block) body(s, std::min(n, s + block));
    return;
  }
  std::atomic<i64> next{0};
  auto task = [&](int) {
    for (i64 b = next.fetch_add(1, std::memory_order_relaxed); b < blocks; b = next.fetch_add(1, std::memory_order_relaxed))
      body(b * block, std::min(n, (b + 1) * block));
  };
  ThreadPool::current().runJoinable(threads, TaskRef(task));
}

}  // namespace nabla
