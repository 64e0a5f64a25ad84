// A jitted graph's kernel calls, recorded once by JS and replayed here, all of them in one N-API
// call per step. Intermediates live in the plan's own arena, allocated once and reused by every
// replay (no fresh JS arrays, no zero-filling, no garbage to collect); only what JS keeps (the
// step's results) lives in arrays JS passes in.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "common.h"
#include "kernel-call.h"

namespace nabla {

/** Where a buffer of the plan lives: an array JS passes in (input or output) or the arena. */
enum class RegionKind : int { Input = 0, Output = 1, Scratch = 2 };

struct PlanRegion {
  RegionKind kind = RegionKind::Scratch;
  int index = 0;  // position among the inputs or outputs JS passes
  DType dtype = DType::F32;
  i64 length = 0;
  i64 arenaOffset = 0;  // bytes, for scratch regions
};

/** A kernel argument: `length` elements of `dtype` from a byte offset into a region. */
struct PlanArg {
  int region = 0;
  i64 byteOffset = 0;
  i64 length = 0;
  DType dtype = DType::F32;
};

struct PlanStep {
  int entry = 0;
  int op = 0;
  std::vector<double> words;
  std::vector<PlanArg> args;
  std::vector<Buffer> buffers;  // resolved at each run
};

/** Time spent per kernel entry and op code across plan runs, when profiling is on. */
struct PlanProfileRow {
  int entry;
  int op;
  i64 calls;
  double seconds;
};

/** One environment's plan profile (each worker thread's nabla keeps its own). */
class PlanProfiler {
 public:
  bool on = false;
  void add(int entry, int op, double seconds);
  /** The rows since the last take, and start over. */
  std::vector<PlanProfileRow> take();

 private:
  std::map<std::pair<int, int>, PlanProfileRow> rows_;
};

class KernelPlan {
 public:
  /**
   * Descriptor: version (1), input count, output count, region count, arena bytes, call count;
   * per region: kind, index, dtype code, length, arena offset; per call: entry, op, word count,
   * the words, argument count, then per argument: region, byte offset, length, dtype code.
   */
  explicit KernelPlan(const double* descriptor, std::size_t count);
  /** Replay every call; `profiler` (its `on` flag) decides whether each is timed. */
  void run(const std::vector<Buffer>& inputs, const std::vector<Buffer>& outputs, PlanProfiler& profiler);
  int inputCount() const { return inputCount_; }
  int outputCount() const { return outputCount_; }

 private:
  int inputCount_ = 0;
  int outputCount_ = 0;
  std::vector<PlanRegion> regions_;
  std::vector<PlanStep> steps_;
  std::vector<std::uint8_t> arenaStorage_;
  std::uint8_t* arena_ = nullptr;
  std::vector<std::uint8_t*> regionData_;
};

}  // namespace nabla
