// argsort (src/ops/primitives/sort.ts): a stable sort of each line with NaN above +Infinity and
// -0 equal to +0, ascending or descending (ties keep their original order either way). Each
// value becomes an unsigned key whose integer order is that order (reversed by complementing
// it when descending); a stable sort of the keys then gives the reference's permutation exactly.
// Long lines use an LSD radix sort (stable by construction), short ones std::sort on (key, index).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
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

// Below this length a comparison sort beats the radix sort's fixed cost (clearing and summing
// its histograms).
constexpr i64 kRadixFrom = 1024;

/** LSD radix sort digits: 11 bits, so 32-bit keys take three passes and 64-bit keys six. */
template <typename K> struct Digits {
  static constexpr int kBits = 11;
  static constexpr int kPasses = (8 * static_cast<int>(sizeof(K)) + kBits - 1) / kBits;
  static constexpr u32 kBuckets = 1u << kBits;
  static u32 of(K key, int pass) { return static_cast<u32>(key >> (kBits * pass)) & (kBuckets - 1); }
};

/**
 * Sort `a` (n entries, indices ascending) stably by key, given each pass's digit counts: one
 * scatter per digit, skipping digits every key shares. `tmp` has room for n entries; the result
 * ends up in `a`.
 */
template <typename K> void radixSort(Entry<K>* a, Entry<K>* tmp, i64 n, u32* counts) {
  using D = Digits<K>;
  Entry<K>* from = a;
  Entry<K>* to = tmp;
  for (int pass = 0; pass < D::kPasses; ++pass) {
    u32* c = counts + pass * D::kBuckets;
    if (c[D::of(from[0].key, pass)] == static_cast<u32>(n)) continue;
    u32 sum = 0;
    for (u32 b = 0; b < D::kBuckets; ++b) {
      const u32 here = c[b];
      c[b] = sum;
      sum += here;
    }
    for (i64 i = 0; i < n; ++i) to[c[D::of(from[i].key, pass)]++] = from[i];
    std::swap(from, to);
  }
  if (from != a) std::copy(from, from + n, a);
}

template <typename T> void sortLines(const T* x, std::int32_t* out, const AxisLines& l, bool descending) {
  using K = KeyOf<T>;
  using D = Digits<K>;
  const i64 n = l.length, inner = l.inner;
  const bool radix = n >= kRadixFrom;
  const K flip = descending ? static_cast<K>(~K{0}) : K{0};
  const i64 work = n * (radix ? 4 * D::kPasses : 16);
  parallelFor(l.count(), work, [&](i64 lo, i64 hi) {
    // Uninitialized: every line writes the entries it reads.
    std::unique_ptr<Entry<K>[]> entries(new Entry<K>[static_cast<std::size_t>(n)]);
    std::unique_ptr<Entry<K>[]> scratch(radix ? new Entry<K>[static_cast<std::size_t>(n)] : nullptr);
    std::vector<u32> counts(radix ? D::kPasses * D::kBuckets : 0);
    for (i64 line = lo; line < hi; ++line) {
      const i64 start = (line / inner) * n * inner + line % inner;
      Entry<K>* e = entries.get();
      if (radix) {
        std::fill(counts.begin(), counts.end(), 0u);
        for (i64 r = 0; r < n; ++r) {
          const K key = static_cast<K>(orderKey(x[start + r * inner]) ^ flip);
          e[r] = {key, static_cast<u32>(r)};
          for (int pass = 0; pass < D::kPasses; ++pass) ++counts[pass * D::kBuckets + D::of(key, pass)];
        }
        radixSort(e, scratch.get(), n, counts.data());
      } else {
        for (i64 r = 0; r < n; ++r) e[r] = {static_cast<K>(orderKey(x[start + r * inner]) ^ flip), static_cast<u32>(r)};
        std::sort(e, e + n, [](const Entry<K>& p, const Entry<K>& q) { return p.key < q.key || (p.key == q.key && p.index < q.index); });
      }
      for (i64 r = 0; r < n; ++r) out[start + r * inner] = static_cast<std::int32_t>(e[r].index);
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
  throw InputError("argsort: bool input is not supported; cast it first");
}

}  // namespace nabla
