// argsort (src/ops/primitives/sort.ts): a stable sort of each line with NaN above +Infinity and
// -0 equal to +0, ascending or descending (ties keep their original order either way). Each
// value becomes an unsigned key whose integer order is that order (reversed by complementing
// it when descending); a stable sort of the keys then gives the reference's permutation exactly.
// Long lines use an LSD radix sort (stable by construction), short ones std::sort on (key, index).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "index-kernels.h"
#include "scan-kernels.h"
#include "thread-pool.h"

namespace nabla {

namespace {

using u32 = std::uint32_t;
using u64 = std::uint64_t;

// Keys: NaN (any payload) the largest, zeros one key, negatives below positives.
inline u32 orderKey(float v) {
  if (v != v) return 0xFFFFFFFFu;
  if (v == 0) v = 0;
  u32 b;
  std::memcpy(&b, &v, sizeof b);
  return (b & 0x80000000u) ? ~b : b | 0x80000000u;
}
inline u64 orderKey(double v) {
  if (v != v) return ~u64{0};
  if (v == 0) v = 0;
  u64 b;
  std::memcpy(&b, &v, sizeof b);
  return (b >> 63) ? ~b : b | (u64{1} << 63);
}
inline u32 orderKey(std::int32_t v) { return static_cast<u32>(v) ^ 0x80000000u; }

template <typename T> using KeyOf = decltype(orderKey(T{}));

/** A key and the position it came from; sorted by key, then position. */
template <typename K> struct Entry {
  K key;
  u32 index;
};

// Below this length a comparison sort beats the radix sort's fixed cost (its histograms).
constexpr i64 kRadixFrom = 256;

/**
 * Sort `a` (n entries, indices ascending) stably by key: one counting pass per byte, skipping the
 * bytes every key shares. `tmp` has room for n entries; the result ends up in `a`.
 */
template <typename K> void radixSort(Entry<K>* a, Entry<K>* tmp, i64 n) {
  constexpr int kBytes = sizeof(K);
  std::vector<std::array<u32, 256>> counts(kBytes);
  for (auto& c : counts) c.fill(0);
  for (i64 i = 0; i < n; ++i)
    for (int b = 0; b < kBytes; ++b) ++counts[b][(a[i].key >> (8 * b)) & 0xFF];
  Entry<K>* from = a;
  Entry<K>* to = tmp;
  for (int b = 0; b < kBytes; ++b) {
    std::array<u32, 256>& c = counts[b];
    if (c[(from[0].key >> (8 * b)) & 0xFF] == static_cast<u32>(n)) continue;
    u32 sum = 0;
    for (u32& v : c) {
      const u32 here = v;
      v = sum;
      sum += here;
    }
    for (i64 i = 0; i < n; ++i) to[c[(from[i].key >> (8 * b)) & 0xFF]++] = from[i];
    std::swap(from, to);
  }
  if (from != a) std::copy(from, from + n, a);
}

template <typename T> void sortLines(const T* x, std::int32_t* out, const AxisLines& l, bool descending) {
  using K = KeyOf<T>;
  const i64 n = l.length, inner = l.inner;
  const K flip = descending ? static_cast<K>(~K{0}) : K{0};
  const i64 work = n * (n < kRadixFrom ? 8 : 2 * static_cast<i64>(sizeof(K)));
  parallelFor(l.count(), work, [&](i64 lo, i64 hi) {
    std::vector<Entry<K>> entries(static_cast<std::size_t>(n)), scratch(n >= kRadixFrom ? static_cast<std::size_t>(n) : 0);
    for (i64 line = lo; line < hi; ++line) {
      const i64 start = (line / inner) * n * inner + line % inner;
      for (i64 r = 0; r < n; ++r) entries[r] = {static_cast<K>(orderKey(x[start + r * inner]) ^ flip), static_cast<u32>(r)};
      if (n >= kRadixFrom) {
        radixSort(entries.data(), scratch.data(), n);
      } else {
        std::sort(entries.begin(), entries.end(),
                  [](const Entry<K>& p, const Entry<K>& q) { return p.key < q.key || (p.key == q.key && p.index < q.index); });
      }
      for (i64 r = 0; r < n; ++r) out[start + r * inner] = static_cast<std::int32_t>(entries[r].index);
    }
  });
}

}  // namespace

void argsortEntry(const KernelCall& c) {
  const char* op = "argsort";
  WordCursor w(c);
  const Shape shape = w.shape("x shape");
  const i64 axis = w.integer("axis");
  const bool descending = flagWord(w, op, "descending");
  const AxisLines lines = axisLines(op, shape, axis);
  const Buffer &x = c.buffer(0, "x"), &out = c.buffer(1, "output");
  expectNumeric(x, op, "x");
  expectDType(out, DType::I32, op, "the output");
  const i64 total = elementCount(shape, op);
  expectLength(x, total, op, "x");
  expectLength(out, total, op, "output");
  if (lines.length > 2147483647)
    throw InputError("argsort: axis " + std::to_string(axis) + " of shape " + shapeText(shape) + " is longer than int32 indices reach");
  if (total == 0) return;
  switch (x.dtype) {
    case DType::F32: sortLines(x.as<float>(), out.as<std::int32_t>(), lines, descending); return;
    case DType::F64: sortLines(x.as<double>(), out.as<std::int32_t>(), lines, descending); return;
    case DType::I32: sortLines(x.as<std::int32_t>(), out.as<std::int32_t>(), lines, descending); return;
    case DType::Bool: break;
  }
}

}  // namespace nabla
