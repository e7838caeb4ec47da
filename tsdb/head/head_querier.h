// Reads from the head (see Querier in tsdb/storage.h).
//
// Select resolves matchers against the postings index, then snapshots each
// matching series' chunks that overlap [mint, maxt]: closed chunks are
// shared (immutable), the open chunk's bytes are copied under the series
// lock. Samples are decoded lazily by the returned iterators.
//
// A SeriesSet holds copied labels and shared chunks only, never series
// pointers, so it stays valid when Head::Truncate removes its series. Each
// Select sees the head as it is when called (after a Truncate, without what
// was truncated).
//
// Thread safety: one thread at a time. Must not outlive its Head.
#ifndef STRATA_TSDB_HEAD_HEAD_QUERIER_H_
#define STRATA_TSDB_HEAD_HEAD_QUERIER_H_

#include <memory>
#include <span>
#include <vector>

#include "tsdb/head/head.h"

namespace strata {

// Refs of series matching all of `matchers`, sorted by ref (Prometheus's
// PostingsForMatchers semantics: a matcher that matches "" also selects
// series without the label).
PostingsList HeadPostingsForMatchers(const Head& head, std::span<const Matcher> matchers);

class HeadQuerier final : public Querier {
 public:
  HeadQuerier(Head* head, int64_t mint, int64_t maxt) : head_(head), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(std::span<const Matcher> matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override;

 private:
  Head* const head_;
  const int64_t mint_;
  const int64_t maxt_;
};

// Iterates the samples of a sequence of time-ordered, non-overlapping chunks,
// restricted to [mint, maxt]. Owns references to the chunk bytes.
class ChunkSeqIterator final : public SampleIterator {
 public:
  using Chunks = std::vector<ChunkRef>;
  ChunkSeqIterator(Chunks chunks, int64_t mint, int64_t maxt);

  bool Next() override;
  bool Seek(int64_t t) override;
  size_t ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned) override;
  int64_t t() const override { return it_.t(); }
  double v() const override { return it_.v(); }
  absl::Status status() const override { return status_; }

 private:
  bool OpenChunk(size_t i);

  Chunks chunks_;
  const int64_t mint_;
  const int64_t maxt_;
  size_t next_chunk_ = 0;
  bool in_chunk_ = false;
  bool valid_ = false;
  bool done_ = false;
  XorIterator it_;
  absl::Status status_;
};

}  // namespace strata

#endif  // STRATA_TSDB_HEAD_HEAD_QUERIER_H_
