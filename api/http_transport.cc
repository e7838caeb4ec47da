#include "api/http_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace strata::api {
namespace {

// poll() on one fd for `events`, retrying on EINTR. True when ready.
bool PollOne(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

void AddressOf(const sockaddr_storage& addr, std::string& ip, int& port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    port = ntohs(a->sin6_port);
  }
  ip = buf;
}

}  // namespace

bool SocketStream::is_readable() const {
  return off_ < len_ || PollOne(fd_, POLLIN, read_timeout_ms_);
}

bool SocketStream::is_writable() const { return PollOne(fd_, POLLOUT, write_timeout_ms_); }

ssize_t SocketStream::read(char* ptr, size_t size) {
  if (off_ < len_) {
    size_t n = std::min(size, len_ - off_);
    std::memcpy(ptr, buffer_ + off_, n);
    off_ += n;
    return static_cast<ssize_t>(n);
  }
  // Whatever we wrote must reach the peer before we wait for it (e.g. an
  // interim "100 Continue" before the request body).
  if (!Flush()) return -1;
  // Large reads (bodies) go straight to the caller; small ones (request
  // lines, headers) fill the buffer.
  const bool direct = size >= kBufferSize;
  char* const into = direct ? ptr : buffer_;
  const size_t want = direct ? size : kBufferSize;
  ssize_t n;
  for (bool polled = false;;) {
    n = ::recv(fd_, into, want, polled ? 0 : MSG_DONTWAIT);
    if (n >= 0 || errno == EINTR) {
      if (n >= 0) break;
      continue;
    }
    if ((errno != EAGAIN && errno != EWOULDBLOCK) || polled) return -1;
    // Nothing there yet: wait for it (once; the read after the poll blocks).
    if (!PollOne(fd_, POLLIN, read_timeout_ms_)) return -1;
    polled = true;
  }
  if (n == 0 || direct) return n;
  off_ = 0;
  len_ = static_cast<size_t>(n);
  size_t take = std::min(size, len_);
  std::memcpy(ptr, buffer_, take);
  off_ = take;
  return static_cast<ssize_t>(take);
}

ssize_t SocketStream::write(const char* ptr, size_t size) {
  if (pending_.size() + size <= kBufferSize) {
    pending_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  return SendAll(ptr, size) ? static_cast<ssize_t>(size) : -1;
}

bool SocketStream::Flush() { return pending_.empty() || SendAll(nullptr, 0); }

bool SocketStream::SendAll(const char* data, size_t size) {
  iovec iov[2] = {{pending_.data(), pending_.size()}, {const_cast<char*>(data), size}};
  iovec* next = pending_.empty() ? iov + 1 : iov;
  const iovec* const end = size == 0 ? iov + 1 : iov + 2;
  while (next < end) {
    msghdr msg{};
    msg.msg_iov = next;
    msg.msg_iovlen = static_cast<size_t>(end - next);
    const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
      // The socket buffer is full: wait until the peer reads.
      if (!PollOne(fd_, POLLOUT, write_timeout_ms_)) return false;
      continue;
    }
    // Step past what was sent (n is at most what is left).
    for (size_t left = static_cast<size_t>(n); left > 0;) {
      const size_t step = std::min(left, next->iov_len);
      next->iov_base = static_cast<char*>(next->iov_base) + step;
      next->iov_len -= step;
      left -= step;
      if (next->iov_len == 0) ++next;
    }
    while (next < end && next->iov_len == 0) ++next;
  }
  pending_.clear();
  return true;
}

void SocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  CachedAddress(/*peer=*/true, &have_remote_, &remote_ip_, &remote_port_);
  ip = remote_ip_;
  port = remote_port_;
}

void SocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
  CachedAddress(/*peer=*/false, &have_local_, &local_ip_, &local_port_);
  ip = local_ip_;
  port = local_port_;
}

void SocketStream::CachedAddress(bool peer, bool* have, std::string* ip, int* port) const {
  if (*have) return;
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  auto* a = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? getpeername(fd_, a, &len) : getsockname(fd_, a, &len)) == 0) {
    AddressOf(addr, *ip, *port);
  }
  *have = true;
}

bool WaitReadable(int fd, int wake_fd, int timeout_ms) {
  pollfd p[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
  for (;;) {
    int r = ::poll(p, wake_fd >= 0 ? 2 : 1, timeout_ms);
    if (r > 0) return p[1].revents == 0 && p[0].revents != 0;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

void LingeringClose(int fd, int linger_ms) {
  ::shutdown(fd, SHUT_WR);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(linger_ms);
  char scratch[16 * 1024];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0 || !PollOne(fd, POLLIN, static_cast<int>(left))) break;
    ssize_t n = ::recv(fd, scratch, sizeof scratch, 0);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  ::close(fd);
}

ConnectionPool::~ConnectionPool() {
  bool joined;
  {
    MutexLock lock(&mu_);
    joined = shutdown_;
  }
  if (!joined) shutdown();
}

void ConnectionPool::enqueue(std::function<void()> fn) {
  MutexLock lock(&mu_);
  // Jobs running or waiting may not exceed the thread budget. The timed
  // wait re-checks `stopping_`, which nothing here is notified of.
  while (threads_.size() - idle_ + jobs_.size() >= max_threads_ && !stopping_->load()) {
    slot_cv_.WaitFor(&mu_, std::chrono::milliseconds(100));
  }
  jobs_.push_back(std::move(fn));
  // Every queued job beyond the idle threads needs a thread of its own, or
  // it would wait for a keep-alive connection to end.
  if (jobs_.size() > idle_ && threads_.size() < max_threads_) {
    threads_.emplace_back([this] { Work(); });
  }
  job_cv_.Signal();
}

void ConnectionPool::shutdown() {
  std::vector<std::thread> threads;
  {
    MutexLock lock(&mu_);
    shutdown_ = true;
    threads.swap(threads_);
  }
  job_cv_.SignalAll();
  for (std::thread& t : threads) t.join();
}

void ConnectionPool::Work() {
  mu_.Lock();
  for (;;) {
    ++idle_;
    while (jobs_.empty() && !shutdown_) job_cv_.Wait(&mu_);
    --idle_;
    if (jobs_.empty()) break;  // shut down, nothing left to run
    std::function<void()> fn = std::move(jobs_.front());
    jobs_.pop_front();
    // A spawned thread counts as busy before it takes its job; taking it
    // may free a slot in enqueue's arithmetic.
    slot_cv_.Signal();
    mu_.Unlock();
    fn();
    mu_.Lock();
    slot_cv_.Signal();
  }
  mu_.Unlock();
}

}  // namespace strata::api
