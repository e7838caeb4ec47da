// The connection layer under Strata's HTTP server: a socket stream and a
// worker pool for cpp-httplib (Debian's 0.11.4).
//
// Why not httplib's own: its keep-alive loop polls every idle connection
// every 10 ms and can only be stopped between requests by polling; it cannot
// close a connection after a response whose request body was left unread (a
// rejected upload), so the unread bytes would be parsed as the next request;
// and its ThreadPool has a fixed size. HttpServer (api/server.cc) runs its
// own keep-alive loop over SocketStream and hands connections to
// ConnectionPool.
#ifndef STRATA_API_HTTP_TRANSPORT_H_
#define STRATA_API_HTTP_TRANSPORT_H_

#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "httplib.h"
#include "tsdb/base/mutex.h"

namespace strata::api {

// An httplib::Stream over a connected socket, with poll()-based read and
// write timeouts, a read buffer (httplib reads request lines byte by byte)
// and a write buffer. Does not own the socket.
//
// Few system calls per request, since on a small query they cost more than
// the query: reads and writes try the socket first and poll only when it
// would block; small writes (a response's status line and headers) are held
// back and go out with the next large write (the body) in one sendmsg, or
// at Flush(), which the caller must call after each response. The peer's
// and the local address are looked up once per connection.
//
// Thread safety: one thread at a time.
class SocketStream final : public httplib::Stream {
 public:
  SocketStream(int fd, int read_timeout_ms, int write_timeout_ms)
      : fd_(fd), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  // Buffers or sends; returns `size`, or -1 when the socket failed (closed by
  // the peer, or not writable within the write timeout).
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override { return fd_; }

  // Sends what write() buffered. False when the socket failed.
  bool Flush();

  // True when bytes of a next (pipelined) request are already buffered.
  bool has_buffered_data() const { return off_ < len_; }

 private:
  static constexpr size_t kBufferSize = 16 * 1024;

  // Sends pending_ and then data[0, size), all of it.
  bool SendAll(const char* data, size_t size);
  // Looks up the peer's or the local address once (then *have is true).
  void CachedAddress(bool peer, bool* have, std::string* ip, int* port) const;

  const int fd_;
  const int read_timeout_ms_;
  const int write_timeout_ms_;
  char buffer_[kBufferSize];
  size_t off_ = 0;
  size_t len_ = 0;
  std::string pending_;  // written, not yet sent
  // Looked up on first use.
  mutable bool have_remote_ = false, have_local_ = false;
  mutable std::string remote_ip_, local_ip_;
  mutable int remote_port_ = 0, local_port_ = 0;
};

// Waits until `fd` is readable (true) or `wake_fd` is readable, the timeout
// passes or an error occurs (false). A timeout < 0 waits forever.
bool WaitReadable(int fd, int wake_fd, int timeout_ms);

// Closes a connection whose peer may still be sending a request body we did
// not read: shuts down our sending side, then reads and discards for up to
// `linger_ms` so the peer can read our response before it sees a reset
// (closing a socket with unread input sends RST, which may destroy the
// response in flight).
void LingeringClose(int fd, int linger_ms);

// A TaskQueue that runs each job (one connection, for its whole keep-alive
// lifetime) on its own thread: threads are created on demand up to
// `max_threads` and reused. When all are busy, enqueue blocks — and with it
// httplib's accept loop, so further connections wait in the kernel's listen
// queue rather than holding file descriptors here (Prometheus's
// --web.max-connections behaves the same way) — until a connection ends or
// `*stopping` becomes true (then the job is queued anyway; it will see the
// flag and close its connection at once).
//
// Thread safety: enqueue is safe for concurrent use; shutdown runs once,
// after the last enqueue, runs the queued jobs and joins every thread.
class ConnectionPool final : public httplib::TaskQueue {
 public:
  // `stopping` must outlive the pool.
  ConnectionPool(size_t max_threads, const std::atomic<bool>* stopping)
      : max_threads_(max_threads), stopping_(stopping) {}
  ~ConnectionPool() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void Work();

  const size_t max_threads_;
  const std::atomic<bool>* const stopping_;
  Mutex mu_;
  CondVar job_cv_;   // a job was queued, or shutdown began
  CondVar slot_cv_;  // a job was taken or finished
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
  size_t idle_ ABSL_GUARDED_BY(mu_) = 0;  // threads waiting for a job
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace strata::api

#endif  // STRATA_API_HTTP_TRANSPORT_H_
