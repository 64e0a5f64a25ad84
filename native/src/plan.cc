#include "plan.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <new>
#include <string>
#include <utility>

namespace nabla {

namespace {

class DescriptorReader {
 public:
  DescriptorReader(const double* w, std::size_t n) : w_(w), n_(n) {}
  i64 next(const char* what, i64 lo, i64 hi) {
    if (pos_ >= n_) throw InputError(std::string("kernel plan: descriptor too short reading ") + what);
    const double v = w_[pos_++];
    if (!(v >= static_cast<double>(lo) && v <= static_cast<double>(hi)) || static_cast<double>(static_cast<i64>(v)) != v)
      throw InputError(std::string("kernel plan: ") + what + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(v));
    return static_cast<i64>(v);
  }
  double raw(const char* what) {
    if (pos_ >= n_) throw InputError(std::string("kernel plan: descriptor too short reading ") + what);
    return w_[pos_++];
  }
  bool done() const { return pos_ == n_; }

 private:
  const double* w_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

constexpr i64 kMaxI = i64(1) << 53;
constexpr i64 kArenaAlign = 64;

i64 regionBytes(const PlanRegion& r) { return r.length * static_cast<i64>(dtypeSize(r.dtype)); }

}  // namespace

void PlanProfiler::add(int entry, int op, double seconds) {
  PlanProfileRow& row = rows_.try_emplace({entry, op}, PlanProfileRow{entry, op, 0, 0.0}).first->second;
  row.calls++;
  row.seconds += seconds;
}

std::vector<PlanProfileRow> PlanProfiler::take() {
  std::vector<PlanProfileRow> rows;
  for (auto& [key, row] : rows_) rows.push_back(row);
  rows_.clear();
  return rows;
}

KernelPlan::KernelPlan(const double* descriptor, std::size_t count) {
  DescriptorReader d(descriptor, count);
  if (d.next("version", 0, 1000) != 1) throw InputError("kernel plan: unknown descriptor version");
  inputCount_ = static_cast<int>(d.next("input count", 0, 1 << 20));
  outputCount_ = static_cast<int>(d.next("output count", 0, 1 << 20));
  const i64 regionCount = d.next("region count", 0, 1 << 24);
  const i64 arenaBytes = d.next("arena bytes", 0, kMaxI);
  const i64 callCount = d.next("call count", 0, 1 << 24);
  for (i64 r = 0; r < regionCount; ++r) {
    PlanRegion g;
    g.kind = static_cast<RegionKind>(d.next("region kind", 0, 2));
    g.index = static_cast<int>(d.next("region index", 0, 1 << 20));
    g.dtype = static_cast<DType>(d.next("region dtype", 0, 3));
    g.length = d.next("region length", 0, kMaxI / 8);
    g.arenaOffset = d.next("region arena offset", 0, kMaxI);
    if (g.kind == RegionKind::Input && g.index >= inputCount_) throw InputError("kernel plan: input index out of range");
    if (g.kind == RegionKind::Output && g.index >= outputCount_) throw InputError("kernel plan: output index out of range");
    if (g.kind == RegionKind::Scratch && (g.arenaOffset % kArenaAlign != 0 || g.arenaOffset + regionBytes(g) > arenaBytes))
      throw InputError("kernel plan: a scratch region lies outside the arena");
    regions_.push_back(g);
  }
  for (i64 c = 0; c < callCount; ++c) {
    PlanStep s;
    s.entry = static_cast<int>(d.next("entry", 0, static_cast<i64>(kEntries.size()) - 1));
    s.op = static_cast<int>(d.next("op", -1, 1 << 20));
    const i64 wordCount = d.next("word count", 0, 4096);
    for (i64 k = 0; k < wordCount; ++k) s.words.push_back(d.raw("word"));
    const i64 argCount = d.next("argument count", 0, 4096);
    for (i64 k = 0; k < argCount; ++k) {
      PlanArg a;
      a.region = static_cast<int>(d.next("argument region", 0, regionCount - 1));
      a.byteOffset = d.next("argument offset", 0, kMaxI);
      a.length = d.next("argument length", 0, kMaxI / 8);
      a.dtype = static_cast<DType>(d.next("argument dtype", 0, 3));
      const i64 size = static_cast<i64>(dtypeSize(a.dtype));
      if (a.byteOffset % size != 0 || a.byteOffset + a.length * size > regionBytes(regions_[a.region]))
        throw InputError("kernel plan: an argument reaches outside its region");
      s.args.push_back(a);
    }
    s.buffers.resize(s.args.size());
    steps_.push_back(std::move(s));
  }
  if (!d.done()) throw InputError("kernel plan: descriptor longer than its counts say");
  // More than a vector can hold is out of memory: on wasm32 (a 32-bit size_t) the cast below would
  // otherwise wrap a larger arena into a small one that the regions overrun.
  if (static_cast<std::uint64_t>(arenaBytes + kArenaAlign) > arenaStorage_.max_size()) throw std::bad_alloc();
  arenaStorage_.resize(static_cast<std::size_t>(arenaBytes + kArenaAlign));
  const auto base = reinterpret_cast<std::uintptr_t>(arenaStorage_.data());
  arena_ = arenaStorage_.data() + ((kArenaAlign - base % kArenaAlign) % kArenaAlign);
  regionData_.resize(regions_.size());
}

void KernelPlan::run(const std::vector<Buffer>& inputs, const std::vector<Buffer>& outputs, PlanProfiler& profiler) {
  if (static_cast<int>(inputs.size()) != inputCount_ || static_cast<int>(outputs.size()) != outputCount_)
    throw InputError("kernel plan: expected " + std::to_string(inputCount_) + " inputs and " + std::to_string(outputCount_) + " outputs, got " +
                     std::to_string(inputs.size()) + " and " + std::to_string(outputs.size()));
  for (std::size_t r = 0; r < regions_.size(); ++r) {
    const PlanRegion& g = regions_[r];
    if (g.kind == RegionKind::Scratch) {
      regionData_[r] = arena_ + g.arenaOffset;
      continue;
    }
    const Buffer& b = g.kind == RegionKind::Input ? inputs[g.index] : outputs[g.index];
    if (b.dtype != g.dtype || b.length != g.length)
      throw InputError(std::string("kernel plan: ") + (g.kind == RegionKind::Input ? "input " : "output ") + std::to_string(g.index) + " is " +
                       std::to_string(b.length) + " " + dtypeName(b.dtype) + " elements, the plan was recorded with " + std::to_string(g.length) + " " +
                       dtypeName(g.dtype));
    regionData_[r] = static_cast<std::uint8_t*>(b.data);
  }
  for (PlanStep& s : steps_) {
    for (std::size_t k = 0; k < s.args.size(); ++k) {
      const PlanArg& a = s.args[k];
      s.buffers[k].data = regionData_[a.region] + a.byteOffset;
      s.buffers[k].length = a.length;
      s.buffers[k].dtype = a.dtype;
    }
    KernelCall call;
    call.op = s.op;
    call.buffers = s.buffers.data();
    call.bufferCount = s.buffers.size();
    call.words = s.words.data();
    call.wordCount = s.words.size();
    if (!profiler.on) {
      runEntry(s.entry, call);
      continue;
    }
    const auto t0 = std::chrono::steady_clock::now();
    runEntry(s.entry, call);
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    profiler.add(s.entry, s.op, dt);
  }
}

}  // namespace nabla
