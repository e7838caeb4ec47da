// Kill -9 at random moments: a child process writes batches and reports each
// acknowledged commit to the parent through a pipe; the parent kills it with
// SIGKILL, reopens the database and checks that every acknowledged sample is
// there, bit-exactly. Repeated on one data directory, so recovery also has to
// cope with the state earlier crashes left behind.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "gtest/gtest.h"
#include "tests/test_util.h"
#include "tests/tsdb/db_test_util.h"

namespace strata {
namespace {

using testing::BatchWorkload;

DBOptions Options(int iteration) {
  DBOptions o;
  // Small segments so crashes also land around segment cuts.
  o.wal.segment_size = 256 << 10;
  // kill -9 loses nothing under either policy: written data is in the page
  // cache. Alternate to cover both.
  o.wal.sync_policy = iteration % 2 == 0 ? wal::SyncPolicy::kAlways : wal::SyncPolicy::kInterval;
  o.wal.sync_interval = absl::Milliseconds(5);
  return o;
}

// Runs in the child: writes batches from `first` on, reporting each ack.
[[noreturn]] void ChildWriter(const std::string& dir, const BatchWorkload& w, int64_t first,
                              int iteration, int fd) {
  auto db = DB::Open(dir, Options(iteration));
  if (!db.ok()) _exit(3);
  for (int64_t k = first;; ++k) {
    if (!w.WriteBatch(db->get(), k).ok()) _exit(4);
    int64_t acked = k + 1;
    if (write(fd, &acked, sizeof acked) != sizeof acked) _exit(5);
  }
}

TEST(CrashTest, KillNineNeverLosesAcknowledgedSamples) {
  testing::TempDir dir;
  BatchWorkload w(3000, RealClock().NowMillis() - 1800 * 1000);
  std::mt19937 rng(12345);
  int64_t acked = 0;
  constexpr int kIterations = 60;
  for (int iteration = 0; iteration < kIterations; ++iteration) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      ChildWriter(dir.path(), w, acked, iteration, fds[1]);
    }
    close(fds[1]);
    // Odd iterations kill at a random moment, which may fall while the child
    // opens and replays; even ones first wait for its first acknowledged
    // batch (up to 30 s: sanitizer builds on a loaded machine start slowly),
    // so the run makes progress however slow the machine is.
    if (iteration % 2 == 0) {
      pollfd p{fds[0], POLLIN, 0};
      ASSERT_EQ(poll(&p, 1, 30000), 1) << "the child acknowledged nothing within 30 s";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 150));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with status " << WEXITSTATUS(wstatus);
    int64_t value;
    while (read(fds[0], &value, sizeof value) == sizeof value) acked = std::max(acked, value);
    close(fds[0]);

    auto db = DB::Open(dir.path(), Options(iteration));
    ASSERT_TRUE(db.ok()) << db.status();
    w.Verify(db->get(), acked);
    ASSERT_FALSE(::testing::Test::HasFailure()) << "after iteration " << iteration;
    ASSERT_TRUE((*db)->Close().ok());
  }
  // The test only means something if the children made progress.
  EXPECT_GE(acked, kIterations / 2);
  std::printf("crash test: %d kills, %lld batches acknowledged\n", kIterations,
              static_cast<long long>(acked));
}

}  // namespace
}  // namespace strata
