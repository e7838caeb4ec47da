// Cold chunk container: version byte, sample count, timestamp column, value
// column (docs/format/cold_chunks.md). The column encoders pick their own
// smallest representation; this file frames them and implements the
// iterator protocol over the columns decoded on Reset.
#include "tsdb/chunk/cold_chunk.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "absl/strings/str_cat.h"
#include "tsdb/base/coding.h"
#include "tsdb/chunk/cold_columns.h"

namespace strata {
namespace {

constexpr uint8_t kColdVersion = 1;

}  // namespace

std::vector<uint8_t> EncodeColdChunk(std::span<const int64_t> ts, std::span<const double> vs) {
  assert(ts.size() == vs.size());
  assert(ts.size() <= kColdChunkMaxSamples);
  const size_t n = std::min(ts.size(), vs.size());
  if (n == 0) return {kColdVersion, 0};
  const std::vector<uint8_t> t = EncodeSharedTimestamps(ts.first(n));
  const std::vector<uint8_t> v = EncodeSharedValues(vs.first(n));
  return AssembleColdChunk(n, {t}, {v});
}

std::vector<uint8_t> EncodeSharedTimestamps(std::span<const int64_t> ts) {
  assert(!ts.empty());
  std::string out;
  PutUvarint(&out, ts.size());
  cold::EncodeTimestamps(ts, &out);
  return std::vector<uint8_t>(out.begin(), out.end());
}

std::vector<uint8_t> EncodeSharedValues(std::span<const double> vs) {
  assert(!vs.empty());
  std::string out;
  PutUvarint(&out, vs.size());
  cold::EncodeValues(vs, &out);
  return std::vector<uint8_t>(out.begin(), out.end());
}

namespace {

// Appends an inline column: its bytes after their count, which the chunk
// holds once.
void AppendInline(std::span<const uint8_t> bytes, std::string* out) {
  Decoder d(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  d.Uvarint();
  out->append(d.Bytes(d.remaining()));
}

}  // namespace

std::vector<uint8_t> AssembleColdChunk(size_t n, const ColdColumn& ts, const ColdColumn& vs,
                                       size_t* values_at) {
  assert(n >= 1 && n <= kColdChunkMaxSamples);
  std::string out(1, static_cast<char>(kColdVersion));
  PutUvarint(&out, n);
  if (ts.bytes.empty()) {
    out.push_back(static_cast<char>(cold::kTsSharedRelative));
    PutUvarint(&out, ts.shared_ref - cold::kSharedRefBase);  // wraps below the base
  } else {
    AppendInline(ts.bytes, &out);
  }
  if (values_at != nullptr) *values_at = out.size();
  if (vs.bytes.empty()) {
    out.push_back(static_cast<char>(cold::kValShared));
    PutUvarint(&out, vs.shared_ref - cold::kSharedRefBase);
    PutUvarint(&out, vs.offset);
  } else {
    AppendInline(vs.bytes, &out);
  }
  return std::vector<uint8_t>(out.begin(), out.end());
}

void ColdChunkIterator::Reset(std::span<const uint8_t> chunk, const SharedColumns* shared) {
  num_samples_ = 0;
  pos_ = 0;
  t_ = 0;
  v_ = 0;
  done_ = false;
  status_ = absl::OkStatus();
  Decoder d(std::string_view(reinterpret_cast<const char*>(chunk.data()), chunk.size()));
  const uint8_t version = d.Byte();
  const uint64_t n = d.Uvarint();
  const char* what = nullptr;
  absl::Status shared_error;  // why a shared column could not be read
  if (!d.ok()) {
    what = "truncated header";
  } else if (version != kColdVersion) {
    what = "unknown version";
  } else if (n > kColdChunkMaxSamples) {
    what = "sample count over the maximum";
  } else if (n > 0) {
    ts_.resize(n);
    vs_.resize(n);
    cold::Scratch s{&scratch_ints_, &scratch_ints2_, &scratch_bytes_};
    if (cold::DecodeTimestamps(d, n, ts_.data(), &s, &what, shared, &shared_error) &&
        cold::DecodeValues(d, n, vs_.data(), &s, &what, shared, &shared_error)) {
      if (!d.done()) {
        what = "trailing bytes";
      } else if (std::adjacent_find(ts_.begin(), ts_.begin() + n, std::greater_equal<>()) !=
                 ts_.begin() + n) {
        // Also guards Seek's binary search against a corrupt column.
        what = "timestamps not increasing";
      }
    }
  } else if (!d.done()) {
    what = "trailing bytes";
  }
  if (what != nullptr) {
    std::string message = std::string("cold chunk: ") + what;
    if (!shared_error.ok()) message += absl::StrCat(": ", shared_error.message());
    status_ = absl::DataLossError(message);
    done_ = true;
    return;
  }
  num_samples_ = static_cast<uint32_t>(n);
}

bool ColdChunkIterator::Next() {
  if (done_ || pos_ >= num_samples_) {
    done_ = true;
    return false;
  }
  t_ = ts_[pos_];
  v_ = vs_[pos_];
  ++pos_;
  return true;
}

size_t ColdChunkIterator::ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned) {
  // The current sample is the one at pos_ - 1.
  size_t n = 0;
  uint32_t i = pos_ - 1;
  for (; n < cap && i < num_samples_ && ts_[i] <= maxt; ++i) out[n++] = TimedValue{ts_[i], vs_[i]};
  pos_ = i;
  *positioned = Next();
  return n;
}

bool ColdChunkIterator::Seek(int64_t t) {
  if (done_) return false;
  if (pos_ > 0 && t_ >= t) return true;
  // Timestamps are strictly increasing (checked on Reset).
  auto begin = ts_.begin() + pos_, end = ts_.begin() + num_samples_;
  pos_ = static_cast<uint32_t>(std::lower_bound(begin, end, t) - ts_.begin());
  return Next();
}

}  // namespace strata
