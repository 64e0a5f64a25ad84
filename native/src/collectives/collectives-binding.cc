#include "collectives-binding.h"

#include <mutex>
#include <string>

#include "process-group.h"

namespace nabla::collectives {

namespace {

// One process group per process, as in torch.distributed: every environment (worker thread)
// that loads the addon sees the same one. A raw pointer, so a process that exits without
// shutdown() does not tear gloo down during static destruction (its threads may still run).
std::mutex gGroupMutex;
ProcessGroup* gGroup = nullptr;

struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename F> Napi::Value guardedCall(const Napi::CallbackInfo& info, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

ProcessGroup& group() {
  if (!gGroup) throw ArgError("no process group: call init first");
  return *gGroup;
}

int intAt(const Napi::CallbackInfo& info, std::size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) throw ArgError(std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

std::string stringAt(const Napi::CallbackInfo& info, std::size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsString()) throw ArgError(std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

struct View {
  Element type;
  void* data;
  std::size_t count;
};

View floatArray(const Napi::CallbackInfo& info, std::size_t i, const char* what) {
  if (i < info.Length() && info[i].IsTypedArray()) {
    auto t = info[i].As<Napi::TypedArray>();
    auto base = static_cast<char*>(t.ArrayBuffer().Data()) + t.ByteOffset();
    if (t.TypedArrayType() == napi_float32_array) return {Element::Float32, base, t.ElementLength()};
    if (t.TypedArrayType() == napi_float64_array) return {Element::Float64, base, t.ElementLength()};
  }
  throw ArgError(std::string(what) + " must be a Float32Array or Float64Array");
}

Napi::Value Init(const Napi::CallbackInfo& info) {
  return guardedCall(info, [&] {
    GroupOptions o;
    o.rank = intAt(info, 0, "rank");
    o.worldSize = intAt(info, 1, "worldSize");
    o.masterAddr = stringAt(info, 2, "masterAddr");
    o.masterPort = intAt(info, 3, "masterPort");
    o.timeout = std::chrono::milliseconds(intAt(info, 4, "timeoutMs"));
    o.iface = stringAt(info, 5, "iface");
    std::lock_guard<std::mutex> lock(gGroupMutex);
    if (gGroup) throw ArgError("the process group is already initialized");
    gGroup = new ProcessGroup(o);
    return info.Env().Undefined();
  });
}

Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  return guardedCall(info, [&] {
    View v = floatArray(info, 0, "buffer");
    group().allReduceSum(v.type, v.data, v.count);
    return info.Env().Undefined();
  });
}

Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  return guardedCall(info, [&] {
    View v = floatArray(info, 0, "buffer");
    group().broadcast(v.type, v.data, v.count, intAt(info, 1, "root"));
    return info.Env().Undefined();
  });
}

Napi::Value AllGather(const Napi::CallbackInfo& info) {
  return guardedCall(info, [&] {
    View in = floatArray(info, 0, "input");
    View out = floatArray(info, 1, "output");
    ProcessGroup& g = group();
    if (in.type != out.type || out.count != in.count * static_cast<std::size_t>(g.worldSize()))
      throw ArgError("allGather: the output must have the input's type and worldSize times its length");
    g.allGather(in.type, in.data, out.data, in.count);
    return info.Env().Undefined();
  });
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  return guardedCall(info, [&] {
    group().barrier();
    return info.Env().Undefined();
  });
}

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  return guardedCall(info, [&] {
    std::lock_guard<std::mutex> lock(gGroupMutex);
    delete gGroup;
    gGroup = nullptr;
    return info.Env().Undefined();
  });
}

}  // namespace

void exportCollectives(Napi::Env env, Napi::Object exports) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("library", "gloo");
  c.Set("init", Napi::Function::New(env, Init));
  c.Set("allReduce", Napi::Function::New(env, AllReduce));
  c.Set("broadcast", Napi::Function::New(env, Broadcast));
  c.Set("allGather", Napi::Function::New(env, AllGather));
  c.Set("barrier", Napi::Function::New(env, Barrier));
  c.Set("shutdown", Napi::Function::New(env, Shutdown));
  exports.Set("collectives", c);
}

}  // namespace nabla::collectives
