#include "tcp-store.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

// Node ignores SIGPIPE, so where send() has no MSG_NOSIGNAL (macOS) a closed peer is still an error return.
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

namespace nabla::collectives {

namespace {

constexpr char kSet = 'S';
constexpr char kGet = 'G';

std::string errnoText() { return std::strerror(errno); }

/** Reads exactly n bytes; false when the peer closed the connection. */
bool readAll(int fd, void* p, std::size_t n) {
  auto* c = static_cast<char*>(p);
  while (n > 0) {
    ssize_t r = ::recv(fd, c, n, 0);
    if (r == 0) return false;
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    c += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool writeAll(int fd, const void* p, std::size_t n) {
  const auto* c = static_cast<const char*>(p);
  while (n > 0) {
    ssize_t r = ::send(fd, c, n, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    c += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool writeBytes(int fd, const char* p, std::uint32_t n) { return writeAll(fd, &n, sizeof n) && writeAll(fd, p, n); }

bool readBytes(int fd, std::vector<char>& out) {
  std::uint32_t n = 0;
  if (!readAll(fd, &n, sizeof n)) return false;
  out.resize(n);
  return n == 0 || readAll(fd, out.data(), n);
}

}  // namespace

StoreServer::StoreServer(int port) {
  listenFd_ = ::socket(AF_INET6, SOCK_STREAM, 0);
  bool v6 = listenFd_ >= 0;
  if (!v6) listenFd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listenFd_ < 0) throw std::runtime_error("cannot open a socket for the rendezvous store: " + errnoText());
  int one = 1;
  ::setsockopt(listenFd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (v6) {
    int zero = 0;
    ::setsockopt(listenFd_, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_any;
    a.sin6_port = htons(static_cast<std::uint16_t>(port));
    rc = ::bind(listenFd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    rc = ::bind(listenFd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (rc != 0 || ::listen(listenFd_, 128) != 0) {
    std::string why = errnoText();
    ::close(listenFd_);
    throw std::runtime_error("rank 0 cannot listen on MASTER_PORT " + std::to_string(port) + " for the rendezvous store: " + why);
  }
  if (::pipe(wakeFds_) != 0) {
    ::close(listenFd_);
    throw std::runtime_error("cannot make the rendezvous store's wake-up pipe: " + errnoText());
  }
  thread_ = std::thread([this] { serve(); });
}

StoreServer::~StoreServer() {
  char b = 0;
  (void)!::write(wakeFds_[1], &b, 1);
  if (thread_.joinable()) thread_.join();
  ::close(wakeFds_[0]);
  ::close(wakeFds_[1]);
  ::close(listenFd_);
}

void StoreServer::serve() {
  std::vector<pollfd> fds = {{wakeFds_[0], POLLIN, 0}, {listenFd_, POLLIN, 0}};
  for (;;) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) break;
    if (fds[1].revents & POLLIN) {
      int c = ::accept(listenFd_, nullptr, nullptr);
      if (c >= 0) fds.push_back({c, POLLIN, 0});
    }
    for (std::size_t i = 2; i < fds.size();) {
      if (fds[i].revents && !answer(fds[i].fd)) {
        ::close(fds[i].fd);
        fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }
  for (std::size_t i = 2; i < fds.size(); ++i) ::close(fds[i].fd);
}

bool StoreServer::answer(int fd) {
  char op = 0;
  std::vector<char> key;
  if (!readAll(fd, &op, 1) || !readBytes(fd, key)) return false;
  std::string k(key.begin(), key.end());
  if (op == kSet) {
    std::vector<char> value;
    if (!readBytes(fd, value)) return false;
    values_[k] = std::move(value);
    char ok = 1;
    return writeAll(fd, &ok, 1);
  }
  if (op != kGet) return false;
  auto it = values_.find(k);
  char found = it != values_.end() ? 1 : 0;
  if (!writeAll(fd, &found, 1)) return false;
  return !found || writeBytes(fd, it->second.data(), static_cast<std::uint32_t>(it->second.size()));
}

StoreClient::StoreClient(const std::string& host, int port, std::chrono::milliseconds timeout)
    : where_(host + ":" + std::to_string(port)), timeout_(timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "no address";
  for (;;) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    int g = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
    if (g != 0) {
      last = ::gai_strerror(g);
    } else {
      for (addrinfo* a = res; a && fd_ < 0; a = a->ai_next) {
        int s = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (s < 0) continue;
        if (::connect(s, a->ai_addr, a->ai_addrlen) == 0) {
          fd_ = s;
        } else {
          last = errnoText();
          ::close(s);
        }
      }
      ::freeaddrinfo(res);
    }
    if (fd_ >= 0) break;
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("cannot reach the rendezvous store of rank 0 at MASTER_ADDR:MASTER_PORT = " + where_ + " within " +
                               std::to_string(timeout.count()) + " ms (" + last + "); is rank 0 running?");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

StoreClient::~StoreClient() {
  if (fd_ >= 0) ::close(fd_);
}

void StoreClient::set(const std::string& key, const std::vector<char>& data) {
  char op = kSet, ok = 0;
  if (!writeAll(fd_, &op, 1) || !writeBytes(fd_, key.data(), static_cast<std::uint32_t>(key.size())) ||
      !writeBytes(fd_, data.data(), static_cast<std::uint32_t>(data.size())) || !readAll(fd_, &ok, 1))
    throw std::runtime_error("lost the rendezvous store at " + where_ + " while setting '" + key + "'");
}

bool StoreClient::tryGet(const std::string& key, std::vector<char>& out) {
  char op = kGet, found = 0;
  if (!writeAll(fd_, &op, 1) || !writeBytes(fd_, key.data(), static_cast<std::uint32_t>(key.size())) || !readAll(fd_, &found, 1) ||
      (found && !readBytes(fd_, out)))
    throw std::runtime_error("lost the rendezvous store at " + where_ + " while reading '" + key + "'");
  return found != 0;
}

std::vector<char> StoreClient::get(const std::string& key) {
  wait({key}, timeout_);
  std::vector<char> out;
  tryGet(key, out);
  return out;
}

void StoreClient::wait(const std::vector<std::string>& keys) { wait(keys, timeout_); }

void StoreClient::wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<char> ignored;
  for (const std::string& key : keys) {
    while (!tryGet(key, ignored)) {
      if (std::chrono::steady_clock::now() >= deadline)
        throw std::runtime_error("rendezvous timed out after " + std::to_string(timeout.count()) + " ms waiting for '" + key +
                                 "' in the store at " + where_ + ": not every rank of the world started");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

std::string StoreClient::localAddress() const {
  sockaddr_storage a{};
  socklen_t n = sizeof a;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &n) != 0) throw std::runtime_error("getsockname: " + errnoText());
  char text[INET6_ADDRSTRLEN] = {0};
  if (a.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&a)->sin_addr, text, sizeof text);
  } else {
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&a);
    // An IPv4 peer reached through a dual-stack socket: give the plain IPv4 form.
    if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr))
      ::inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], text, sizeof text);
    else
      ::inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
  }
  return text;
}

}  // namespace nabla::collectives
