// The process group: the collectives nabla needs (sum all-reduce, broadcast, all-gather, barrier)
// on float32/float64 buffers, over gloo's TCP transport. The narrow interface is the whole
// boundary, so another engine (NCCL for GPUs) can sit behind it later.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace gloo {
class Context;
}

namespace nabla::collectives {

class StoreServer;

enum class Element { Float32, Float64 };

struct GroupOptions {
  int rank = 0;
  int worldSize = 1;
  std::string masterAddr = "127.0.0.1";
  int masterPort = 29500;
  /** Rendezvous and every collective fail after this long without progress. */
  std::chrono::milliseconds timeout{60000};
  /** The network interface to bind (GLOO_SOCKET_IFNAME); empty: the one that reaches the master. */
  std::string iface;
};

class ProcessGroup {
 public:
  /** Rendezvous with every rank and connect them; throws std::runtime_error saying what failed. */
  explicit ProcessGroup(const GroupOptions& options);
  ~ProcessGroup();
  int rank() const { return options_.rank; }
  int worldSize() const { return options_.worldSize; }
  /** In place: every rank's buffer becomes the element-wise sum over the ranks. */
  void allReduceSum(Element type, void* data, std::size_t count);
  /** In place: every rank's buffer becomes root's. */
  void broadcast(Element type, void* data, std::size_t count, int root);
  /** out (count * worldSize elements) receives each rank's `in` in rank order. */
  void allGather(Element type, const void* in, void* out, std::size_t count);
  void barrier();

 private:
  GroupOptions options_;
  std::unique_ptr<StoreServer> server_;
  std::shared_ptr<gloo::Context> context_;
};

}  // namespace nabla::collectives
