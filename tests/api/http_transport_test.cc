// SocketStream over a socketpair: write coalescing, flushing before a read
// waits, partial sends against a full socket buffer, timeouts and failures.
#include "api/http_transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace strata::api {
namespace {

class SocketStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  void TearDown() override {
    if (fds_[0] >= 0) ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  // What the peer can read right now, without waiting.
  std::string PeerReadNow() {
    std::string out;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fds_[1], buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // Reads exactly n bytes as the peer (blocking).
  std::string PeerRead(size_t n) {
    std::string out;
    char buf[65536];
    while (out.size() < n) {
      const ssize_t got = ::recv(fds_[1], buf, std::min(sizeof buf, n - out.size()), 0);
      if (got <= 0) break;
      out.append(buf, static_cast<size_t>(got));
    }
    return out;
  }
  int fds_[2] = {-1, -1};
};

TEST_F(SocketStreamTest, SmallWritesWaitForFlush) {
  SocketStream s(fds_[0], 1000, 1000);
  EXPECT_EQ(s.write("HTTP/1.1 200 OK\r\n", 17), 17);
  EXPECT_EQ(s.write("\r\n", 2), 2);
  EXPECT_EQ(PeerReadNow(), "");  // held back
  EXPECT_TRUE(s.Flush());
  EXPECT_EQ(PeerReadNow(), "HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_TRUE(s.Flush());  // nothing pending: a no-op
  EXPECT_EQ(PeerReadNow(), "");
}

TEST_F(SocketStreamTest, HeadersAndALargeBodyArriveInOrderThroughAFullBuffer) {
  SocketStream s(fds_[0], 1000, 5000);
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 4194304\r\n\r\n";
  std::string body(4 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 23);
  std::string got;
  // The body is far larger than the socket buffer: the sender must wait for
  // this reader and resume after partial sends.
  std::thread reader([&] { got = PeerRead(head.size() + body.size()); });
  EXPECT_EQ(s.write(head.data(), head.size()), static_cast<ssize_t>(head.size()));
  EXPECT_EQ(s.write(body.data(), body.size()), static_cast<ssize_t>(body.size()));
  EXPECT_TRUE(s.Flush());
  reader.join();
  EXPECT_TRUE(got == head + body) << "got " << got.size() << " bytes";
}

TEST_F(SocketStreamTest, ReadSendsPendingOutputBeforeWaiting) {
  // As with "Expect: 100-continue": the peer sends the body only after it
  // has seen the interim response.
  SocketStream s(fds_[0], 5000, 1000);
  std::thread peer([&] {
    if (PeerRead(25) == "HTTP/1.1 100 Continue\r\n\r\n") ::send(fds_[1], "body", 4, 0);
  });
  EXPECT_EQ(s.write("HTTP/1.1 100 Continue\r\n\r\n", 25), 25);
  char buf[16];
  const ssize_t n = s.read(buf, sizeof buf);
  peer.join();
  ASSERT_EQ(n, 4);
  EXPECT_EQ(std::string(buf, 4), "body");
}

TEST_F(SocketStreamTest, ReadsAreBufferedForByteWiseCallers) {
  SocketStream s(fds_[0], 1000, 1000);
  ASSERT_EQ(::send(fds_[1], "GET / HTTP/1.1\r\n", 16, 0), 16);
  char c;
  std::string line;
  while (line.size() < 16 && s.read(&c, 1) == 1) line.push_back(c);
  EXPECT_EQ(line, "GET / HTTP/1.1\r\n");
  EXPECT_FALSE(s.has_buffered_data());
  ASSERT_EQ(::send(fds_[1], "ab", 2, 0), 2);
  ASSERT_EQ(s.read(&c, 1), 1);
  EXPECT_TRUE(s.has_buffered_data());  // 'b' was read from the socket too
}

TEST_F(SocketStreamTest, ReadTimesOutAndSeesTheEnd) {
  SocketStream s(fds_[0], 50, 1000);
  char buf[8];
  EXPECT_EQ(s.read(buf, sizeof buf), -1);  // nothing within 50 ms
  ::shutdown(fds_[1], SHUT_WR);
  EXPECT_EQ(s.read(buf, sizeof buf), 0);  // the peer finished sending
}

TEST_F(SocketStreamTest, WritesToAClosedPeerFail) {
  SocketStream s(fds_[0], 1000, 1000);
  ::close(fds_[1]);
  fds_[1] = -1;
  EXPECT_EQ(s.write("x", 1), 1);  // buffered
  EXPECT_FALSE(s.Flush());
  std::string big(1 << 20, 'x');
  EXPECT_EQ(s.write(big.data(), big.size()), -1);
}

}  // namespace
}  // namespace strata::api
