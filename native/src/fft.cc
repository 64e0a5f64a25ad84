// The FFT primitives (src/signal/fft-ops.ts) in float64, by the reference's algorithms
// (src/signal/fft-math.ts): iterative radix-2 Cooley-Tukey for powers of two, Bluestein's chirp
// convolution (through power-of-two FFTs) for other lengths. Rows run in parallel; plans
// (twiddles, bit reversal, chirps) are cached per length and direction.
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels.h"
#include "linalg/linalg-kernels.h"
#include "op-codes.h"
#include "scan-kernels.h"
#include "thread-pool.h"

namespace nabla {

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Radix2Plan {
  i64 n = 0;
  std::vector<double> cos, sin;
  std::vector<std::uint32_t> reversed;
};

struct ChirpPlan {
  i64 m = 0;
  std::shared_ptr<const Radix2Plan> inner;
  std::vector<double> chirpRe, chirpIm, kernelRe, kernelIm;
};

bool isPowerOfTwo(i64 n) { return n > 0 && (n & (n - 1)) == 0; }

/** A bounded cache of plans by key, shared by all threads. */
template <typename P> class PlanCache {
 public:
  template <typename Make> std::shared_ptr<const P> get(i64 key, Make&& make) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = plans_.find(key);
      if (it != plans_.end()) return it->second;
    }
    std::shared_ptr<const P> plan = make();
    std::lock_guard<std::mutex> lock(mutex_);
    if (plans_.size() >= 32) plans_.erase(plans_.begin());
    plans_[key] = plan;
    return plan;
  }

 private:
  std::mutex mutex_;
  std::map<i64, std::shared_ptr<const P>> plans_;
};

std::shared_ptr<const Radix2Plan> radix2Plan(i64 n) {
  static PlanCache<Radix2Plan> cache;
  return cache.get(n, [n] {
    auto p = std::make_shared<Radix2Plan>();
    p->n = n;
    const i64 half = n >> 1;
    p->cos.resize(half);
    p->sin.resize(half);
    for (i64 k = 0; k < half; ++k) {
      p->cos[k] = std::cos((2 * kPi * double(k)) / double(n));
      p->sin[k] = std::sin((2 * kPi * double(k)) / double(n));
    }
    int bits = 0;
    while ((i64{1} << bits) < n) ++bits;
    p->reversed.resize(n);
    for (i64 i = 0; i < n; ++i) {
      std::uint32_t r = 0;
      for (int b = 0; b < bits; ++b) r |= static_cast<std::uint32_t>((i >> b) & 1) << (bits - 1 - b);
      p->reversed[i] = r;
    }
    return std::shared_ptr<const Radix2Plan>(p);
  });
}

void radix2(const Radix2Plan& plan, double* re, double* im, double sign) {
  const i64 n = plan.n;
  if (n <= 1) return;
  for (i64 i = 0; i < n; ++i) {
    const i64 j = plan.reversed[i];
    if (j > i) {
      std::swap(re[i], re[j]);
      std::swap(im[i], im[j]);
    }
  }
  for (i64 size = 2; size <= n; size <<= 1) {
    const i64 half = size >> 1, step = n / size;
    for (i64 start = 0; start < n; start += size) {
      for (i64 k = 0; k < half; ++k) {
        const double wr = plan.cos[k * step], wi = sign * plan.sin[k * step];
        const i64 a = start + k, b = a + half;
        const double br = re[b] * wr - im[b] * wi;
        const double bi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - br;
        im[b] = im[a] - bi;
        re[a] += br;
        im[a] += bi;
      }
    }
  }
}

std::shared_ptr<const ChirpPlan> chirpPlan(i64 n, double sign) {
  static PlanCache<ChirpPlan> cache;
  return cache.get(sign > 0 ? n : -n, [n, sign] {
    auto p = std::make_shared<ChirpPlan>();
    i64 m = 1;
    while (m < 2 * n - 1) m <<= 1;
    p->m = m;
    p->inner = radix2Plan(m);
    p->chirpRe.resize(n);
    p->chirpIm.resize(n);
    for (i64 k = 0; k < n; ++k) {
      // k² reduced mod 2n keeps the angle small and exact, as in the reference.
      const double angle = (kPi * double((k * k) % (2 * n))) / double(n);
      p->chirpRe[k] = std::cos(angle);
      p->chirpIm[k] = sign * std::sin(angle);
    }
    p->kernelRe.assign(m, 0.0);
    p->kernelIm.assign(m, 0.0);
    for (i64 k = 0; k < n; ++k) {
      p->kernelRe[k] = p->chirpRe[k];
      p->kernelIm[k] = -p->chirpIm[k];
      if (k > 0) {
        p->kernelRe[m - k] = p->chirpRe[k];
        p->kernelIm[m - k] = -p->chirpIm[k];
      }
    }
    radix2(*p->inner, p->kernelRe.data(), p->kernelIm.data(), -1);
    return std::shared_ptr<const ChirpPlan>(p);
  });
}

void bluestein(const ChirpPlan& plan, i64 n, double* re, double* im, std::vector<double>& ar, std::vector<double>& ai) {
  const i64 m = plan.m;
  ar.assign(m, 0.0);
  ai.assign(m, 0.0);
  for (i64 k = 0; k < n; ++k) {
    ar[k] = re[k] * plan.chirpRe[k] - im[k] * plan.chirpIm[k];
    ai[k] = re[k] * plan.chirpIm[k] + im[k] * plan.chirpRe[k];
  }
  radix2(*plan.inner, ar.data(), ai.data(), -1);
  for (i64 k = 0; k < m; ++k) {
    const double r = ar[k] * plan.kernelRe[k] - ai[k] * plan.kernelIm[k];
    ai[k] = ar[k] * plan.kernelIm[k] + ai[k] * plan.kernelRe[k];
    ar[k] = r;
  }
  radix2(*plan.inner, ar.data(), ai.data(), 1);
  for (i64 k = 0; k < n; ++k) {
    const double cr = ar[k] / double(m), ci = ai[k] / double(m);
    re[k] = cr * plan.chirpRe[k] - ci * plan.chirpIm[k];
    im[k] = cr * plan.chirpIm[k] + ci * plan.chirpRe[k];
  }
}

/** The unnormalised DFT of length n in one direction, applied row by row. */
class Transform {
 public:
  Transform(i64 n, bool inverse) : n_(n), sign_(inverse ? 1.0 : -1.0) {
    if (isPowerOfTwo(n)) radix2_ = radix2Plan(n);
    else chirp_ = chirpPlan(n, sign_);
  }
  void operator()(double* re, double* im) const {
    thread_local std::vector<double> ar, ai;
    if (radix2_) radix2(*radix2_, re, im, sign_);
    else bluestein(*chirp_, n_, re, im, ar, ai);
  }

 private:
  i64 n_;
  double sign_;
  std::shared_ptr<const Radix2Plan> radix2_;
  std::shared_ptr<const ChirpPlan> chirp_;
};

i64 halfBins(i64 n) { return n / 2 + 1; }

/** Run body(re, im, row) on each row with its own float64 work rows of length n. */
template <typename F> void eachRow(i64 rows, i64 n, F&& body) {
  const i64 logN = static_cast<i64>(std::log2(double(n) + 1)) + 1;
  parallelFor(rows, 8 * n * logN, [&](i64 r0, i64 r1) {
    std::vector<double> re(n), im(n);
    for (i64 r = r0; r < r1; ++r) body(re.data(), im.data(), r);
  });
}

template <typename T> void fft(const T* z, T* out, i64 rows, i64 n, bool inverse) {
  const Transform dft(n, inverse);
  eachRow(rows, n, [&](double* re, double* im, i64 r) {
    const T* zr = z + r * n * 2;
    for (i64 j = 0; j < n; ++j) {
      re[j] = zr[2 * j];
      im[j] = zr[2 * j + 1];
    }
    dft(re, im);
    T* o = out + r * n * 2;
    for (i64 j = 0; j < n; ++j) {
      o[2 * j] = static_cast<T>(re[j]);
      o[2 * j + 1] = static_cast<T>(im[j]);
    }
  });
}

template <typename T> void rfft(const T* x, T* out, i64 rows, i64 n) {
  const Transform dft(n, false);
  const i64 m = halfBins(n);
  eachRow(rows, n, [&](double* re, double* im, i64 r) {
    for (i64 j = 0; j < n; ++j) {
      re[j] = x[r * n + j];
      im[j] = 0;
    }
    dft(re, im);
    T* o = out + r * m * 2;
    for (i64 k = 0; k < m; ++k) {
      o[2 * k] = static_cast<T>(re[k]);
      o[2 * k + 1] = static_cast<T>(im[k]);
    }
  });
}

template <typename T> void irfft(const T* z, T* out, i64 rows, i64 n, bool hermitian) {
  const Transform dft(n, true);
  const i64 m = halfBins(n);
  eachRow(rows, n, [&](double* re, double* im, i64 r) {
    std::fill(re, re + n, 0.0);
    std::fill(im, im + n, 0.0);
    const T* zr = z + r * m * 2;
    for (i64 k = 0; k < m; ++k) {
      re[k] = zr[2 * k];
      im[k] = zr[2 * k + 1];
      // The mirror bin n-k carries the conjugate.
      const i64 mirror = n - k;
      if (hermitian && k > 0 && mirror > k) {
        re[mirror] = re[k];
        im[mirror] = -im[k];
      }
    }
    dft(re, im);
    for (i64 j = 0; j < n; ++j) out[r * n + j] = static_cast<T>(re[j]);
  });
}

void expectSameFloat(const Buffer& x, const Buffer& out, const char* op) {
  if ((x.dtype != DType::F32 && x.dtype != DType::F64) || out.dtype != x.dtype)
    throw InputError(std::string(op) + ": input and output must both be float32 or float64, got " + dtypeName(x.dtype) + " and " +
                     dtypeName(out.dtype));
}

}  // namespace

void fftEntry(const KernelCall& c) {
  if (!validCode<FftOp>(c.op)) throw InputError("fft: unknown op code " + std::to_string(c.op));
  WordCursor w(c);
  const i64 rows = w.integer("rows"), n = w.integer("transform length");
  if (rows < 0 || n < 1) throw InputError("fft: expected rows >= 0 and a length >= 1, got " + std::to_string(rows) + " and " + std::to_string(n));
  const Buffer& x = c.buffer(0, "input");
  const Buffer& out = c.buffer(1, "output");
  const auto op = static_cast<FftOp>(c.op);
  const char* name = op == FftOp::fft ? "fft" : op == FftOp::rfft ? "rfft" : "irfft";
  expectSameFloat(x, out, name);
  const bool flag = op == FftOp::rfft ? false : flagWord(w, name, op == FftOp::fft ? "inverse" : "hermitian");
  const i64 m = halfBins(n);
  const i64 inLength = op == FftOp::fft ? rows * n * 2 : op == FftOp::rfft ? rows * n : rows * m * 2;
  const i64 outLength = op == FftOp::fft ? rows * n * 2 : op == FftOp::rfft ? rows * m * 2 : rows * n;
  expectLength(x, inLength, name, "input");
  expectLength(out, outLength, name, "output");
  auto run = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    if (op == FftOp::fft) fft(x.as<T>(), out.as<T>(), rows, n, flag);
    else if (op == FftOp::rfft) rfft(x.as<T>(), out.as<T>(), rows, n);
    else irfft(x.as<T>(), out.as<T>(), rows, n, flag);
  };
  if (x.dtype == DType::F32) run(static_cast<float*>(nullptr));
  else run(static_cast<double*>(nullptr));
}

}  // namespace nabla
