// Helpers for the HTTP tests: raw exchanges over a socket to 127.0.0.1 (for
// requests no well-behaved client sends) and snappy-compressed remote-write
// bodies.
#ifndef STRATA_TESTS_API_HTTP_TEST_UTIL_H_
#define STRATA_TESTS_API_HTTP_TEST_UTIL_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "api/proto/remote_write_v1.pb.h"
#include "snappy.h"

namespace strata::testing {

// Connects to 127.0.0.1:port, sends `request` (as far as the server takes
// it), and returns everything the server sends until it closes the
// connection or `timeout_ms` pass. Empty if the connection failed.
inline std::string RawHttpExchange(int port, const std::string& request, int timeout_ms = 5000) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early; read what it said
    sent += static_cast<size_t>(n);
  }
  std::string response;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return response;
}

// Counts "HTTP/1.1 " status lines in a raw response stream.
inline int CountResponses(const std::string& raw) {
  int n = 0;
  for (size_t pos = raw.find("HTTP/1.1 "); pos != std::string::npos;
       pos = raw.find("HTTP/1.1 ", pos + 1)) {
    ++n;
  }
  return n;
}

// A snappy-compressed remote write 1.0 request with one float sample per
// series; each series is given as name/value label pairs.
struct TestSeries {
  std::vector<std::pair<std::string, std::string>> labels;
  int64_t t;
  double v;
};
inline std::string RemoteWriteV1Body(const std::vector<TestSeries>& series) {
  strata::rw::v1::WriteRequest req;
  for (const TestSeries& s : series) {
    auto* ts = req.add_timeseries();
    for (const auto& [name, value] : s.labels) {
      auto* l = ts->add_labels();
      l->set_name(name);
      l->set_value(value);
    }
    auto* sample = ts->add_samples();
    sample->set_timestamp(s.t);
    sample->set_value(s.v);
  }
  std::string raw, body;
  req.SerializeToString(&raw);
  snappy::Compress(raw.data(), raw.size(), &body);
  return body;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_API_HTTP_TEST_UTIL_H_
