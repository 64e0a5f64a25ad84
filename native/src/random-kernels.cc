// Counter-based random draws: value i is a pure function of the stream's keys and i, made with
// the same integer hashing and IEEE arithmetic as src/ops/primitives/random.ts, so every backend
// draws the same bits for a seed, and any split of the elements between threads does too.
#include "random-kernels.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "portable-math.h"
#include "thread-pool.h"

namespace nabla {

namespace {

using u32 = std::uint32_t;

/** random.ts's hash2: a murmur3-style finaliser over two words. */
inline u32 hash2(u32 a, u32 b) {
  u32 h = ((a ^ 0x9e3779b9u) * 0x85ebca6bu) ^ ((b + 0x632be5abu) * 0xc2b2ae35u);
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

inline double uniformAt(u32 k0, u32 k1, u32 i) {
  return hash2(hash2(k0, i), k1 ^ ((i >> 16) * 0x27d4eb2fu)) / 4294967296.0;
}

/** Box-Muller on the uniform pair (2j, 2j+1): element 2j takes the cos branch, 2j+1 the sin. */
inline void normalPair(u32 k0, u32 k1, u32 j, double& even, double& odd) {
  const double u1 = 1 - uniformAt(k0, k1, 2 * j);
  const double u2 = uniformAt(k0, k1, 2 * j + 1);
  const double r = std::sqrt(-2 * portable::log(u1));
  double sin, cos;
  portable::sinCosTurn(u2, sin, cos);
  even = r * cos;
  odd = r * sin;
}

inline double standardNormal(u32 k0, u32 k1, u32 i) {
  double even, odd;
  normalPair(k0, k1, i >> 1, even, odd);
  return (i & 1) == 0 ? even : odd;
}

enum Distribution { kUniform = 0, kNormal = 1, kTruncatedNormal = 2, kIntegers = 3 };

struct Stream {
  int kind;
  u32 k0, k1;
  double a, b;

  double at(u32 i) const {
    switch (kind) {
      case kUniform: return a + (b - a) * uniformAt(k0, k1, i);
      case kIntegers: return a + std::floor((b - a) * uniformAt(k0, k1, i));
      default: {
        double z = standardNormal(k0, k1, i);
        for (u32 round = 1; kind == kTruncatedNormal && std::fabs(z) > 2; ++round)
          z = standardNormal(k0 ^ (round * 0x5bd1e995u), k1, i);
        return a + b * z;
      }
    }
  }
};

u32 key(WordCursor& w, const char* what) {
  i64 k = w.integer(what);
  if (k < 0 || k > 0xffffffffLL) throw InputError(std::string("random: ") + what + " must be a 32-bit unsigned integer, got " + std::to_string(k));
  return static_cast<u32>(k);
}

}  // namespace

void randomEntry(const KernelCall& call) {
  if (call.op < kUniform || call.op > kIntegers) throw InputError("random: unknown distribution code " + std::to_string(call.op));
  WordCursor w(call);
  Stream s{call.op, 0, 0, 0, 0};
  s.k0 = key(w, "first key");
  s.k1 = key(w, "second key");
  s.a = w.number(call.op == kUniform || call.op == kIntegers ? "min" : "mean");
  s.b = w.number(call.op == kUniform || call.op == kIntegers ? "max" : "stddev");
  const Buffer& out = call.buffer(0, "output");
  // Element indices are 32-bit words of the stream, as in JS.
  if (out.length > 0xffffffffLL) throw InputError("random: at most 2^32 - 1 elements per call, got " + std::to_string(out.length));
  withType(out.dtype, [&](auto tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    T* y = out.as<T>();
    if (s.kind == kNormal) {
      // One Box-Muller pair gives two elements.
      parallelFor((out.length + 1) / 2, 64, [&](i64 begin, i64 end) {
        for (i64 j = begin; j < end; ++j) {
          double even, odd;
          normalPair(s.k0, s.k1, static_cast<u32>(j), even, odd);
          y[2 * j] = storeAs<T>(s.a + s.b * even);
          if (2 * j + 1 < out.length) y[2 * j + 1] = storeAs<T>(s.a + s.b * odd);
        }
      });
      return;
    }
    parallelFor(out.length, s.kind == kTruncatedNormal ? 64 : 8, [&](i64 begin, i64 end) {
      for (i64 i = begin; i < end; ++i) y[i] = storeAs<T>(s.at(static_cast<u32>(i)));
    });
  });
}

}  // namespace nabla
