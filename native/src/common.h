// Shared definitions of the nabla addon: dtypes, JavaScript's number conversions, and the
// error type the binding turns into a JS exception.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace nabla {

using i64 = std::int64_t;

enum class DType : int { F32 = 0, F64 = 1, I32 = 2, Bool = 3 };

inline const char* dtypeName(DType d) {
  switch (d) {
    case DType::F32: return "float32";
    case DType::F64: return "float64";
    case DType::I32: return "int32";
    case DType::Bool: return "bool";
  }
  return "?";
}

inline std::size_t dtypeSize(DType d) {
  switch (d) {
    case DType::F32: return 4;
    case DType::F64: return 8;
    case DType::I32: return 4;
    case DType::Bool: return 1;
  }
  return 0;
}

/** Bad input that reached the addon: becomes a JS Error with this message. */
struct InputError : std::runtime_error {
  explicit InputError(const std::string& m) : std::runtime_error(m) {}
};

/**
 * u where cond is nonzero, else v, copied bit for bit through a mask rather than a branch: real
 * masks (relu's) are close to random, and a mispredicted branch per element costs more than the
 * whole select.
 */
template <typename T> inline T selectBits(std::uint8_t cond, T u, T v) {
  const T m = static_cast<T>(T(0) - static_cast<T>(cond != 0));
  return static_cast<T>((u & m) | (v & static_cast<T>(~m)));
}

/** A typed array seen from C++: its data pointer, element count and dtype. */
struct Buffer {
  void* data = nullptr;
  i64 length = 0;
  DType dtype = DType::F32;
  template <typename T> T* as() const { return static_cast<T*>(data); }
};

// JavaScript stores a number into an Int32Array with ToInt32 (modulo 2^32, NaN and infinities
// give 0) and into a Uint8Array with ToUint8; the kernels reproduce that exactly so int results
// match the reference backend bit for bit.
inline std::int32_t jsToInt32(double d) {
  if (!std::isfinite(d)) return 0;
  double t = std::trunc(d);
  if (t >= -2147483648.0 && t <= 2147483647.0) return static_cast<std::int32_t>(t);
  double m = std::fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(m));
}

inline std::uint8_t jsToUint8(double d) {
  if (!std::isfinite(d)) return 0;
  double t = std::trunc(d);
  if (t >= 0 && t < 256) return static_cast<std::uint8_t>(t);
  double m = std::fmod(t, 256.0);
  if (m < 0) m += 256.0;
  return static_cast<std::uint8_t>(m);
}

/** Store a double computed like JS into element type T, as a JS typed-array store would. */
template <typename T> inline T storeAs(double d);
template <> inline float storeAs<float>(double d) { return static_cast<float>(d); }
template <> inline double storeAs<double>(double d) { return d; }
template <> inline std::int32_t storeAs<std::int32_t>(double d) { return jsToInt32(d); }
template <> inline std::uint8_t storeAs<std::uint8_t>(double d) { return jsToUint8(d); }

/** nabla's cast semantics (castScalar in src/tensor/dtype.ts): ints saturate, NaN becomes 0 (or true: it is non-zero). */
template <typename T> inline T castTo(double v);
template <> inline float castTo<float>(double v) { return static_cast<float>(v); }
template <> inline double castTo<double>(double v) { return v; }
template <> inline std::int32_t castTo<std::int32_t>(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 2147483647.0) return 2147483647;
  if (v <= -2147483648.0) return -2147483647 - 1;
  return static_cast<std::int32_t>(std::trunc(v));
}
template <> inline std::uint8_t castTo<std::uint8_t>(double v) { return v != 0 ? 1 : 0; }

/** Call f with a value of the C++ element type of dtype d (as a null pointer tag). */
template <typename F> inline auto withType(DType d, F&& f) {
  switch (d) {
    case DType::F32: return f(static_cast<float*>(nullptr));
    case DType::F64: return f(static_cast<double*>(nullptr));
    case DType::I32: return f(static_cast<std::int32_t*>(nullptr));
    case DType::Bool: break;
  }
  return f(static_cast<std::uint8_t*>(nullptr));
}

}  // namespace nabla
