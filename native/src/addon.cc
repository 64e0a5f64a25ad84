// The N-API binding: unpacks typed arrays (zero copy: kernels read and write the JS
// ArrayBuffers directly) and the shared argument buffer, runs a kernel, and turns every
// failure into a JS exception. Shapes and flags travel in one Float64Array that JS fills
// before each call, so a call allocates no JS objects.
#include <napi.h>

#include <cmath>
#include <new>
#include <string>

#include "cpu.h"
#include "gemm/gemm.h"
#include "fused.h"
#include "heap.h"
#include "kernels.h"
#include "thread-pool.h"
#include "window-kernels.h"

namespace nabla {

namespace {

struct ArgBuffer {
  // Heap-held and never destroyed: a reference must not outlive its env at process exit.
  Napi::Reference<Napi::Float64Array>* ref = nullptr;
  const double* data = nullptr;
  std::size_t length = 0;
};
ArgBuffer gArgs;
Simd gSimd = Simd::Scalar;

/** Reads integers and shapes from the shared argument buffer, validating each. */
class ArgCursor {
 public:
  ArgCursor() {
    if (!gArgs.data) throw InputError("nabla addon: setArgs was not called");
  }
  i64 integer(const char* what) {
    if (pos_ >= gArgs.length) throw InputError(std::string("nabla addon: argument buffer too short reading ") + what);
    double v = gArgs.data[pos_++];
    if (!(std::floor(v) == v) || std::fabs(v) > 9007199254740992.0)
      throw InputError(std::string("nabla addon: ") + what + " must be an integer, got " + std::to_string(v));
    return static_cast<i64>(v);
  }
  Shape shape(const char* what) {
    i64 rank = integer(what);
    if (rank < 0 || rank > 64) throw InputError(std::string("nabla addon: rank of ") + what + " must be in [0, 64]");
    Shape s(static_cast<std::size_t>(rank));
    for (auto& d : s) {
      d = integer(what);
      if (d < 0) throw InputError(std::string("nabla addon: negative dimension in ") + what);
    }
    return s;
  }

 private:
  std::size_t pos_ = 0;
};

Buffer bufferArg(const Napi::CallbackInfo& info, std::size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsTypedArray())
    throw InputError(std::string("nabla addon: ") + what + " must be a typed array");
  napi_typedarray_type type;
  std::size_t length = 0;
  void* data = nullptr;
  napi_status st = napi_get_typedarray_info(info.Env(), info[i], &type, &length, &data, nullptr, nullptr);
  if (st != napi_ok) throw InputError(std::string("nabla addon: cannot read ") + what);
  Buffer b;
  b.data = data;
  b.length = static_cast<i64>(length);
  switch (type) {
    case napi_float32_array: b.dtype = DType::F32; break;
    case napi_float64_array: b.dtype = DType::F64; break;
    case napi_int32_array: b.dtype = DType::I32; break;
    case napi_uint8_array: b.dtype = DType::Bool; break;
    default: throw InputError(std::string("nabla addon: ") + what + " must be a Float32Array, Float64Array, Int32Array or Uint8Array");
  }
  return b;
}

int intArg(const Napi::CallbackInfo& info, std::size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) throw InputError(std::string("nabla addon: ") + what + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

template <typename F> Napi::Value guarded(const Napi::CallbackInfo& info, F&& body) {
  try {
    body();
  } catch (const InputError& e) {
    throw Napi::Error::New(info.Env(), e.what());
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(info.Env(), "nabla addon: out of memory");
  }
  return info.Env().Undefined();
}

Napi::Value SetArgs(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(info.Env(), "setArgs: expected a Float64Array");
  auto arr = info[0].As<Napi::Float64Array>();
  if (!gArgs.ref) gArgs.ref = new Napi::Reference<Napi::Float64Array>();
  *gArgs.ref = Napi::Persistent(arr);
  gArgs.data = arr.Data();
  gArgs.length = arr.ElementLength();
  return info.Env().Undefined();
}

Napi::Value Unary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] { unary(intArg(info, 0, "op"), bufferArg(info, 1, "input"), bufferArg(info, 2, "output")); });
}

Napi::Value Binary(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    ArgCursor args;
    Shape as = args.shape("first input shape"), bs = args.shape("second input shape"), os = args.shape("output shape");
    binary(intArg(info, 0, "op"), bufferArg(info, 1, "first input"), as, bufferArg(info, 2, "second input"), bs,
           bufferArg(info, 3, "output"), os);
  });
}

Napi::Value Where(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    ArgCursor args;
    Shape cs = args.shape("condition shape"), as = args.shape("x shape"), bs = args.shape("y shape"),
          os = args.shape("output shape");
    where(bufferArg(info, 0, "condition"), cs, bufferArg(info, 1, "x"), as, bufferArg(info, 2, "y"), bs,
          bufferArg(info, 3, "output"), os);
  });
}

Napi::Value Cast(const Napi::CallbackInfo& info) {
  return guarded(info, [&] { cast(bufferArg(info, 0, "input"), bufferArg(info, 1, "output")); });
}

Napi::Value Materialize(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    ArgCursor args;
    Shape shape = args.shape("view shape");
    Shape strides(shape.size());
    for (auto& s : strides) s = args.integer("view stride");
    i64 offset = args.integer("view offset");
    materialize(bufferArg(info, 0, "source"), shape, strides, offset, bufferArg(info, 1, "output"));
  });
}

Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    ArgCursor args;
    Shape shape = args.shape("input shape");
    std::vector<bool> reduced(shape.size(), false);
    i64 count = args.integer("axis count");
    if (count < 0 || count > static_cast<i64>(shape.size())) throw InputError("reduce: bad axis count");
    for (i64 i = 0; i < count; ++i) {
      i64 axis = args.integer("axis");
      if (axis < 0 || axis >= static_cast<i64>(shape.size())) throw InputError("reduce: axis out of range");
      reduced[axis] = true;
    }
    reduce(intArg(info, 0, "op"), bufferArg(info, 1, "input"), shape, reduced, bufferArg(info, 2, "output"));
  });
}

Napi::Value ArgReduce(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    ArgCursor args;
    Shape shape = args.shape("input shape");
    i64 axis = args.integer("axis");
    if (axis < 0 || axis >= static_cast<i64>(shape.size())) throw InputError("argReduce: axis out of range");
    argReduce(intArg(info, 0, "op"), bufferArg(info, 1, "input"), shape, static_cast<int>(axis), bufferArg(info, 2, "output"));
  });
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    ArgCursor args;
    Shape as = args.shape("first operand shape"), bs = args.shape("second operand shape");
    bool ta = args.integer("transposeA") != 0, tb = args.integer("transposeB") != 0;
    matmul(bufferArg(info, 0, "first operand"), as, bufferArg(info, 1, "second operand"), bs, ta, tb,
           bufferArg(info, 2, "output"));
  });
}

/** Reads `count` integers of window geometry (conv/pool) from the argument buffer. */
std::vector<i64> geometryArgs(int count) {
  ArgCursor args;
  std::vector<i64> p(static_cast<std::size_t>(count));
  for (auto& v : p) v = args.integer("window geometry");
  return p;
}

Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    conv2d(intArg(info, 0, "op"), bufferArg(info, 1, "first input"), bufferArg(info, 2, "second input"),
           bufferArg(info, 3, "output"), geometryArgs(kConvParamCount));
  });
}

Napi::Value Pool2d(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    pool2d(intArg(info, 0, "op"), bufferArg(info, 1, "first input"), bufferArg(info, 2, "second input"),
           bufferArg(info, 3, "output"), geometryArgs(kPoolParamCount));
  });
}

/** fusedElementwise(out, ...inputs); the argument buffer holds the word count, then the program. */
Napi::Value FusedElementwise(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    ArgCursor args;
    const i64 count = args.integer("program length");
    if (count < 0 || count > 1000) throw InputError("fusedElementwise: bad program length");
    std::vector<i64> words(static_cast<std::size_t>(count));
    for (auto& w : words) w = args.integer("program word");
    std::vector<Buffer> inputs;
    for (std::size_t i = 1; i < info.Length(); ++i) inputs.push_back(bufferArg(info, i, "input"));
    const Buffer out = bufferArg(info, 0, "output");
    fusedElementwise(parseFusedProgram(words, inputs, out), inputs, out);
  });
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("simd", simdName(gSimd));
  o.Set("threads", ThreadPool::instance().size());
#ifdef NABLA_HAVE_OPENBLAS
  o.Set("blas", "openblas");
#else
  o.Set("blas", "nabla-gemm");
#endif
#ifdef NABLA_SANITIZE
  o.Set("sanitize", true);
#endif
  return o;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    int n = intArg(info, 0, "threads");
    if (n < 1 || n > 256) throw InputError("setThreads: expected 1 to 256 threads");
    ThreadPool::instance().resize(n);
  });
}

Napi::Array names(Napi::Env env, const std::vector<const char*>& list) {
  Napi::Array a = Napi::Array::New(env, list.size());
  for (std::size_t i = 0; i < list.size(); ++i) a.Set(static_cast<std::uint32_t>(i), list[i]);
  return a;
}

Napi::Value OpNames(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("unary", names(info.Env(), kUnaryOps));
  o.Set("binary", names(info.Env(), kBinaryOps));
  o.Set("reduce", names(info.Env(), kReduceOps));
  o.Set("arg", names(info.Env(), kArgOps));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  keepFreedTensorMemory();
  gSimd = detectSimd();
  selectGemmKernels(gSimd);
  exports.Set("setArgs", Napi::Function::New(env, SetArgs));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("where", Napi::Function::New(env, Where));
  exports.Set("cast", Napi::Function::New(env, Cast));
  exports.Set("materialize", Napi::Function::New(env, Materialize));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("argReduce", Napi::Function::New(env, ArgReduce));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("pool2d", Napi::Function::New(env, Pool2d));
  exports.Set("fusedElementwise", Napi::Function::New(env, FusedElementwise));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("opNames", Napi::Function::New(env, OpNames));
  return exports;
}

}  // namespace
}  // namespace nabla

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return nabla::Init(env, exports); }

NODE_API_MODULE(nabla, InitAddon)
