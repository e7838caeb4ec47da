#include "tsdb/head/mem_series.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace strata {
namespace {

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// Floor division that rounds towards -inf for negative timestamps too.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

std::unique_ptr<MemSeries> MemSeries::New(SeriesRef ref, std::span<const uint32_t> label_pairs) {
  static_assert(alignof(MemSeries) >= alignof(uint32_t));
  void* mem = ::operator new(sizeof(MemSeries) + label_pairs.size_bytes());
  auto* series = new (mem) MemSeries(ref, static_cast<uint16_t>(label_pairs.size() / 2));
  std::memcpy(reinterpret_cast<uint32_t*>(series + 1), label_pairs.data(),
              label_pairs.size_bytes());
  return std::unique_ptr<MemSeries>(series);
}

SampleError MemSeries::Appendable(int64_t t, double v, bool* is_duplicate) const {
  *is_duplicate = false;
  if (empty()) return SampleError::kNone;
  int64_t last = open_.last_t();
  if (t > last) return SampleError::kNone;
  if (t < last) return SampleError::kOutOfOrder;
  // Same timestamp: identical bits are a harmless resend, anything else a
  // conflicting value. Bits, not ==, so NaN equals the same NaN.
  if (Bits(v) == Bits(open_.last_v())) {
    *is_duplicate = true;
    return SampleError::kNone;
  }
  return SampleError::kDuplicate;
}

int64_t MemSeries::min_time() const {
  return closed_.empty() ? open_.first_t() : closed_.front()->min_time;
}

bool MemSeries::Append(int64_t t, double v, int64_t chunk_range_ms) {
  bool dup;
  if (Appendable(t, v, &dup) != SampleError::kNone || dup) return false;
  if (!empty()) {
    // Cutting at range boundaries keeps chunks from straddling the blocks the
    // head will later be split into.
    bool full = open_.num_samples() >= kSamplesPerChunk;
    bool crosses = FloorDiv(t, chunk_range_ms) != FloorDiv(open_.first_t(), chunk_range_ms);
    if (full || crosses) CutChunk();
  }
  open_.Append(t, v);
  return true;
}

void MemSeries::CutChunk() {
  closed_.push_back(ClosedChunk::Make(open_.first_t(), open_.last_t(), open_.bytes()));
  open_ = XorAppender();
}

size_t MemSeries::TruncateBefore(int64_t mint) {
  // Closed chunks are in time order and end before the open chunk starts.
  auto keep = std::partition_point(closed_.begin(), closed_.end(),
                                   [mint](const auto& c) { return c->max_time < mint; });
  size_t removed = static_cast<size_t>(keep - closed_.begin());
  closed_.erase(closed_.begin(), keep);
  if (closed_.empty() && !empty() && open_.last_t() < mint) {
    open_ = XorAppender();
    ++removed;
  }
  return removed;
}

size_t MemSeries::MemoryBytes() const {
  size_t bytes = open_.MemoryBytes();
  bytes += closed_.capacity() * sizeof(closed_[0]);
  for (const ChunkRef& c : closed_) bytes += c->MemoryBytes();
  return bytes;
}

}  // namespace strata
