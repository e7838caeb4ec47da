// Parallel encoding, ordered writing (stream_writer.h).
#include "bench/querybench/stream_writer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "fmt/format.h"

namespace strata::querybench {
namespace {

using Clock = std::chrono::steady_clock;

struct Group {
  bool ready = false;
  std::vector<loadgen::EncodedRequest> requests;
  EncodeTotals totals;
};

// Hands groups to encoding threads in file order and back to the writer in
// the same order. A thread takes group g only when g is fewer than
// `max_ahead` groups past the next one to write, which bounds memory.
class GroupQueue {
 public:
  GroupQueue(uint64_t groups, uint64_t max_ahead) : groups_(groups), max_ahead_(max_ahead) {}

  // The next group to encode and its slot; false when none is left.
  bool Take(uint64_t* g, Group** slot) {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return stop_ || taken_ < written_ + max_ahead_; });
    if (stop_ || taken_ == groups_) return false;
    *g = taken_++;
    *slot = &slots_.emplace_back();  // deque: earlier slots stay put
    return true;
  }
  void Done(Group* slot) {
    {
      std::lock_guard lock(mu_);
      slot->ready = true;
    }
    ready_.notify_all();
  }
  // Waits for group `written_` (the next in order); nullptr once stopped.
  Group* Next() {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return stop_ || (!slots_.empty() && slots_.front().ready); });
    return stop_ ? nullptr : &slots_.front();
  }
  void Pop() {
    {
      std::lock_guard lock(mu_);
      slots_.pop_front();
      ++written_;
    }
    space_.notify_all();
  }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    space_.notify_all();
    ready_.notify_all();
  }

 private:
  const uint64_t groups_, max_ahead_;
  std::mutex mu_;
  std::condition_variable space_, ready_;
  std::deque<Group> slots_;  // groups written_ .. taken_ - 1
  uint64_t taken_ = 0, written_ = 0;
  bool stop_ = false;
};

}  // namespace

absl::StatusOr<StreamWriteResult> WriteStream(const loadgen::StreamFileInfo& info, int windows,
                                              uint64_t series, const GroupEncodeFn& encode,
                                              const StreamWriteOptions& options) {
  absl::StatusOr<std::unique_ptr<loadgen::StreamFileWriter>> writer =
      loadgen::StreamFileWriter::Create(options.path, info);
  if (!writer.ok()) return writer.status();
  StreamWriteResult result;
  result.windows = windows;
  result.connections = info.connections;
  result.series = series;
  result.threads = options.threads > 0
                       ? options.threads
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int connections = info.connections;
  const uint64_t groups = uint64_t(std::max(windows, 0)) * connections;
  GroupQueue queue(groups, result.threads + 2);
  std::vector<std::thread> threads;
  for (int i = 0; i < result.threads; ++i) {
    threads.emplace_back([&] {
      uint64_t g;
      Group* slot;
      while (queue.Take(&g, &slot)) {
        encode(static_cast<int>(g / connections), static_cast<int>(g % connections),
               &slot->requests, &slot->totals);
        queue.Done(slot);
      }
    });
  }

  const Clock::time_point start = Clock::now();
  Clock::time_point next_report = start + std::chrono::seconds(5);
  absl::Status status;
  for (uint64_t g = 0; g < groups && status.ok(); ++g) {
    Group* group = queue.Next();
    status = (*writer)->AppendGroup(static_cast<int>(g / connections),
                                    static_cast<int>(g % connections), group->requests);
    result.totals.Add(group->totals);
    queue.Pop();
    if (options.progress && Clock::now() >= next_report) {
      next_report += std::chrono::seconds(5);
      const double s = std::chrono::duration<double>(Clock::now() - start).count();
      const std::string of = options.expected_samples > 0
                                 ? fmt::format(" of {:.1f} M", options.expected_samples / 1e6)
                                 : "";
      fmt::print(
          stderr,
          "  {:6.1f} s: {:.1f} M{} samples encoded, {:.1f} MiB written ({:.2f} M samples/s)\n", s,
          result.totals.samples / 1e6, of, (*writer)->bytes_written() / 1048576.0,
          result.totals.samples / 1e6 / s);
    }
  }
  queue.Stop();
  for (std::thread& t : threads) t.join();
  if (!status.ok()) return status;

  loadgen::StreamContent content;
  content.series = series;
  content.raw_bytes = result.totals.raw_bytes;
  if (result.totals.samples > 0) {
    content.min_timestamp_ms = result.totals.min_timestamp_ms;
    content.max_timestamp_ms = result.totals.max_timestamp_ms;
  }
  if (absl::Status s = (*writer)->Finish(content); !s.ok()) return s;
  result.file_bytes = (*writer)->bytes_written();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace strata::querybench
