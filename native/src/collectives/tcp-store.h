// The rendezvous key-value store over the master's address and port (gloo's Debian build ships a
// file, hash and Redis store, none of which reaches across machines without a shared file system
// or a Redis server). Rank 0 serves it; every rank, rank 0 included, is a client. Only the
// address exchange goes through it; the collectives run on gloo's own TCP pairs.
#pragma once

#include <gloo/rendezvous/store.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nabla::collectives {

/** The server: a map of keys to bytes, answering SET and GET (GET replies "absent" at once). */
class StoreServer {
 public:
  /** Listens on `port` on every interface; throws std::runtime_error naming the port if it cannot. */
  explicit StoreServer(int port);
  ~StoreServer();
  StoreServer(const StoreServer&) = delete;
  StoreServer& operator=(const StoreServer&) = delete;

 private:
  void serve();
  bool answer(int fd);
  int listenFd_ = -1;
  int wakeFds_[2] = {-1, -1};
  std::map<std::string, std::vector<char>> values_;
  std::thread thread_;
};

/** A client connection; get/wait poll the server until the key appears or the timeout passes. */
class StoreClient : public gloo::rendezvous::Store {
 public:
  /** Connects to host:port, retrying until `timeout` (the server may start later than this rank). */
  StoreClient(const std::string& host, int port, std::chrono::milliseconds timeout);
  ~StoreClient() override;
  void set(const std::string& key, const std::vector<char>& data) override;
  std::vector<char> get(const std::string& key) override;
  void wait(const std::vector<std::string>& keys) override;
  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override;
  /** The local address of the connection to the master: the interface the other ranks can reach. */
  std::string localAddress() const;

 private:
  bool tryGet(const std::string& key, std::vector<char>& out);
  int fd_ = -1;
  std::string where_;
  std::chrono::milliseconds timeout_;
};

}  // namespace nabla::collectives
