// The N-API binding: unpacks typed arrays (zero copy: kernels read and write the JS
// ArrayBuffers directly) and the shared argument buffer, runs a kernel, and turns every
// failure into a JS exception. Shapes and flags travel in one Float64Array that JS fills
// before each call, so a call allocates no JS objects.
//
// Context-aware: every Node environment that loads the addon (the main thread, each worker
// thread) gets its own AddonData (N-API instance data): its argument buffer, call buffers,
// plan profile and thread pool. The only process-wide state is set once at the first load
// (the SIMD level, the GEMM kernels, the heap settings) and only read afterwards.
#include <napi.h>

#include <cmath>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "cpu.h"
#include "gemm/gemm.h"
#include "heap.h"
#include "kernel-call.h"
#include "kernels.h"
#include "plan.h"
#include "thread-pool.h"
#ifdef NABLA_HAVE_GLOO
#include "collectives/collectives-binding.h"
#endif

namespace nabla {

namespace {

/** One environment's state, made at load and deleted when the environment shuts down. */
struct AddonData {
  explicit AddonData(int threads) : pool(threads) {}
  // The argument buffer JS fills before each call (setArgs), held so its memory stays put.
  Napi::Reference<Napi::Float64Array> argsRef;
  const double* args = nullptr;
  std::size_t argsLength = 0;
  // The current call's buffers, reused so a call allocates nothing.
  std::vector<Buffer> callBuffers, planInputs, planOutputs;
  PlanProfiler planProfile;
  ThreadPool pool;
  std::string threadsWarning;
};

/** The calling environment's data, its pool made current for the call. */
class CallScope {
 public:
  explicit CallScope(const Napi::CallbackInfo& info) : data(*info.Env().GetInstanceData<AddonData>()), pool_(data.pool) {}
  AddonData& data;

 private:
  PoolScope pool_;
};

std::once_flag gProcessSetup;
Simd gSimd = Simd::Scalar;  // written once, under gProcessSetup

/** A typed array as a Buffer; `what` names it in errors ("nabla addon: <what> must be ..."). */
Buffer typedArrayBuffer(napi_env env, napi_value value, const std::string& what) {
  napi_typedarray_type type;
  std::size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr) != napi_ok)
    throw InputError("nabla addon: cannot read " + what);
  Buffer b;
  b.data = data;
  b.length = static_cast<i64>(length);
  switch (type) {
    case napi_float32_array: b.dtype = DType::F32; break;
    case napi_float64_array: b.dtype = DType::F64; break;
    case napi_int32_array: b.dtype = DType::I32; break;
    case napi_uint8_array: b.dtype = DType::Bool; break;
    default: throw InputError("nabla addon: " + what + " must be a Float32Array, Float64Array, Int32Array or Uint8Array");
  }
  return b;
}

Buffer bufferArg(const Napi::CallbackInfo& info, std::size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsTypedArray())
    throw InputError(std::string("nabla addon: ") + what + " must be a typed array");
  return typedArrayBuffer(info.Env(), info[i], what);
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
  AddonData& d = *info.Env().GetInstanceData<AddonData>();
  d.argsRef = Napi::Persistent(arr);
  d.args = arr.Data();
  d.argsLength = arr.ElementLength();
  return info.Env().Undefined();
}

/** A kernel entry called from JS: `(op?, ...typed arrays)`, words from the shared argument buffer. */
template <int Entry> Napi::Value CallEntry(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    CallScope scope(info);
    AddonData& d = scope.data;
    if (!d.args) throw InputError("nabla addon: setArgs was not called");
    const EntrySpec& spec = kEntries[Entry];
    KernelCall call;
    std::size_t first = 0;
    if (spec.takesOp) {
      call.op = intArg(info, 0, "op");
      first = 1;
    }
    std::vector<Buffer>& buffers = d.callBuffers;
    buffers.clear();
    for (std::size_t i = first; i < info.Length(); ++i) buffers.push_back(bufferArg(info, i, spec.name));
    call.buffers = buffers.data();
    call.bufferCount = buffers.size();
    call.words = d.args;
    call.wordCount = d.argsLength;
    runEntry(Entry, call);
  });
}

void finalizePlan(Napi::Env, KernelPlan* plan) { delete plan; }

/** createPlan(descriptor: Float64Array) -> an opaque plan (see plan.h for the format). */
Napi::Value CreatePlan(const Napi::CallbackInfo& info) {
  Napi::Value result;
  guarded(info, [&] {
    if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      throw InputError("createPlan: expected a Float64Array descriptor");
    auto d = info[0].As<Napi::Float64Array>();
    auto* plan = new KernelPlan(d.Data(), d.ElementLength());
    result = Napi::External<KernelPlan>::New(info.Env(), plan, finalizePlan);
  });
  return result;
}

/** Typed arrays of a JS array argument. */
void arrayOfBuffers(const Napi::CallbackInfo& info, std::size_t i, const char* what, std::vector<Buffer>& out) {
  out.clear();
  if (i >= info.Length() || !info[i].IsArray()) throw InputError(std::string("runPlan: ") + what + " must be an array of typed arrays");
  Napi::Array a = info[i].As<Napi::Array>();
  for (std::uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    if (!v.IsTypedArray()) throw InputError(std::string("runPlan: ") + what + " must be an array of typed arrays");
    out.push_back(typedArrayBuffer(info.Env(), v, std::string("runPlan ") + what));
  }
}

/** runPlan(plan, inputs: TypedArray[], outputs: TypedArray[], threads?): every recorded call, in order, on at most `threads` threads (0 or absent: the pool's). */
Napi::Value RunPlan(const Napi::CallbackInfo& info) {
  return guarded(info, [&] {
    if (info.Length() < 1 || !info[0].IsExternal()) throw InputError("runPlan: expected a plan from createPlan");
    KernelPlan* plan = info[0].As<Napi::External<KernelPlan>>().Data();
    CallScope scope(info);
    AddonData& d = scope.data;
    arrayOfBuffers(info, 1, "inputs", d.planInputs);
    arrayOfBuffers(info, 2, "outputs", d.planOutputs);
    const int cap = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : 0;
    ThreadCap threads(cap);
    plan->run(d.planInputs, d.planOutputs, d.planProfile);
  });
}

/** planProfile(on?: boolean): the time per (entry, op) since the last call; turns profiling on or off. */
Napi::Value PlanProfile(const Napi::CallbackInfo& info) {
  PlanProfiler& profiler = info.Env().GetInstanceData<AddonData>()->planProfile;
  std::vector<PlanProfileRow> rows = profiler.take();
  if (info.Length() > 0 && info[0].IsBoolean()) profiler.on = info[0].As<Napi::Boolean>().Value();
  Napi::Array a = Napi::Array::New(info.Env(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("entry", kEntries[rows[i].entry].name);
    o.Set("op", rows[i].op);
    o.Set("calls", static_cast<double>(rows[i].calls));
    o.Set("ms", rows[i].seconds * 1e3);
    a.Set(static_cast<std::uint32_t>(i), o);
  }
  return a;
}

/** The kernel entries a plan may call, in the order of their codes. */
Napi::Value PlanEntries(const Napi::CallbackInfo& info) {
  Napi::Array a = Napi::Array::New(info.Env(), kEntries.size());
  for (std::size_t i = 0; i < kEntries.size(); ++i) {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("name", kEntries[i].name);
    o.Set("takesOp", kEntries[i].takesOp);
    o.Set("outputIndex", kEntries[i].outputIndex);
    a.Set(static_cast<std::uint32_t>(i), o);
  }
  return a;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("simd", simdName(gSimd));
  const AddonData& d = *info.Env().GetInstanceData<AddonData>();
  o.Set("threads", d.pool.size());
  if (!d.threadsWarning.empty()) o.Set("threadsWarning", d.threadsWarning);
#ifdef NABLA_HAVE_OPENBLAS
  o.Set("blas", "openblas");
#else
  o.Set("blas", "nabla-gemm");
#endif
#ifdef NABLA_HAVE_GLOO
  o.Set("collectives", "gloo");
#else
  o.Set("collectives", "none");
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
    info.Env().GetInstanceData<AddonData>()->pool.resize(n);
  });
}

Napi::Array names(Napi::Env env, const std::vector<const char*>& list) {
  Napi::Array a = Napi::Array::New(env, list.size());
  for (std::size_t i = 0; i < list.size(); ++i) a.Set(static_cast<std::uint32_t>(i), list[i]);
  return a;
}

Napi::Value OpNames(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  for (const OpFamily& family : opFamilies()) o.Set(family.name, names(info.Env(), family.names()));
  return o;
}

/** Export every kernel entry under its name. */
template <int Unused, int... Entries> void exportEntries(Napi::Env env, Napi::Object exports, std::integer_sequence<int, Entries...>) {
  (exports.Set(kEntries[Entries].name, Napi::Function::New(env, CallEntry<Entries>)), ...);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (kEntries.size() != kEntryCount) throw Napi::Error::New(env, "nabla addon: the entry table and its bindings disagree");
  std::call_once(gProcessSetup, [] {
    keepFreedTensorMemory();
    gSimd = detectSimd();
    selectGemmKernels(gSimd);
  });
  std::string threadsWarning;
  const int threads = threadsFromEnvironment(threadsWarning);
  auto* data = new AddonData(threads);
  data->threadsWarning = threadsWarning;
  env.SetInstanceData(data);
  exports.Set("setArgs", Napi::Function::New(env, SetArgs));
  exportEntries<0>(env, exports, std::make_integer_sequence<int, kEntryCount>());
  exports.Set("createPlan", Napi::Function::New(env, CreatePlan));
  exports.Set("runPlan", Napi::Function::New(env, RunPlan));
  exports.Set("planEntries", Napi::Function::New(env, PlanEntries));
  exports.Set("planProfile", Napi::Function::New(env, PlanProfile));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("opNames", Napi::Function::New(env, OpNames));
#ifdef NABLA_HAVE_GLOO
  collectives::exportCollectives(env, exports);
#endif
  return exports;
}

}  // namespace
}  // namespace nabla

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return nabla::Init(env, exports); }

NODE_API_MODULE(nabla, InitAddon)
