#include "process-group.h"

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/transport/tcp/device.h>

#include <stdexcept>

#include "tcp-store.h"

namespace nabla::collectives {

namespace {

using ReduceFn = void (*)(void*, const void*, const void*, std::size_t);

template <typename T> void allReduceTyped(const std::shared_ptr<gloo::Context>& ctx, T* data, std::size_t count) {
  gloo::AllreduceOptions opts(ctx);
  opts.setOutput(data, count);
  opts.setReduceFunction(static_cast<ReduceFn>(&gloo::sum<T>));
  gloo::allreduce(opts);
}

template <typename T> void broadcastTyped(const std::shared_ptr<gloo::Context>& ctx, T* data, std::size_t count, int root) {
  gloo::BroadcastOptions opts(ctx);
  if (ctx->rank == root) opts.setInput(data, count);
  opts.setOutput(data, count);
  opts.setRoot(root);
  gloo::broadcast(opts);
}

template <typename T> void allGatherTyped(const std::shared_ptr<gloo::Context>& ctx, const T* in, T* out, std::size_t count) {
  gloo::AllgatherOptions opts(ctx);
  opts.setInput(const_cast<T*>(in), count);
  opts.setOutput(out, count * static_cast<std::size_t>(ctx->size));
  gloo::allgather(opts);
}

}  // namespace

ProcessGroup::ProcessGroup(const GroupOptions& options) : options_(options) {
  if (options.rank == 0) server_ = std::make_unique<StoreServer>(options.masterPort);
  StoreClient store(options.masterAddr, options.masterPort, options.timeout);
  gloo::transport::tcp::attr attr;
  if (!options.iface.empty())
    attr.iface = options.iface;
  else
    attr.hostname = store.localAddress();
  auto device = gloo::transport::tcp::CreateDevice(attr);
  auto context = std::make_shared<gloo::rendezvous::Context>(options.rank, options.worldSize);
  context->setTimeout(options.timeout);
  context->connectFullMesh(store, device);
  context_ = context;
}

ProcessGroup::~ProcessGroup() = default;

void ProcessGroup::allReduceSum(Element type, void* data, std::size_t count) {
  if (type == Element::Float32)
    allReduceTyped(context_, static_cast<float*>(data), count);
  else
    allReduceTyped(context_, static_cast<double*>(data), count);
}

void ProcessGroup::broadcast(Element type, void* data, std::size_t count, int root) {
  if (type == Element::Float32)
    broadcastTyped(context_, static_cast<float*>(data), count, root);
  else
    broadcastTyped(context_, static_cast<double*>(data), count, root);
}

void ProcessGroup::allGather(Element type, const void* in, void* out, std::size_t count) {
  if (type == Element::Float32)
    allGatherTyped(context_, static_cast<const float*>(in), static_cast<float*>(out), count);
  else
    allGatherTyped(context_, static_cast<const double*>(in), static_cast<double*>(out), count);
}

void ProcessGroup::barrier() {
  gloo::BarrierOptions opts(context_);
  gloo::barrier(opts);
}

}  // namespace nabla::collectives
