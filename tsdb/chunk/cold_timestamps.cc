// Timestamp columns: plain deltas, deltas of deltas, or a fixed grid. Scrape
// loops are phase-locked to their interval, so t_i = t0 + k_i * interval +
// r_i with k_i counting slots (steps of 1 unless scrapes were missed) and
// r_i the few milliseconds of jitter; both streams are then nearly constant
// or tiny and compress to a fraction of a bit per sample.
//
// All arithmetic wraps in uint64: a corrupt column decodes to some values
// (rejected later when not increasing) and never to undefined behaviour.
#include <algorithm>
#include <optional>

#include "tsdb/chunk/cold_columns.h"
#include "tsdb/chunk/cold_int_column.h"

namespace strata::cold {
namespace {

uint64_t U(int64_t v) { return static_cast<uint64_t>(v); }
int64_t S(uint64_t v) { return static_cast<int64_t>(v); }

std::string EncodeDeltas(std::span<const int64_t> ts, bool dod) {
  std::string out(1, static_cast<char>(dod ? kTsDod : kTsDelta));
  PutVarint(&out, ts[0]);
  std::vector<int64_t> col(ts.size() - 1);
  uint64_t prev_delta = 0;
  for (size_t i = 1; i < ts.size(); ++i) {
    const uint64_t delta = U(ts[i]) - U(ts[i - 1]);
    col[i - 1] = S(dod ? delta - prev_delta : delta);
    prev_delta = delta;
  }
  EncodeIntColumn(col, &out);
  return out;
}

// The most common spacing is the median delta when most scrapes are on time.
int64_t MedianDelta(std::span<const int64_t> ts) {
  std::vector<int64_t> deltas(ts.size() - 1);
  for (size_t i = 1; i < ts.size(); ++i) deltas[i - 1] = S(U(ts[i]) - U(ts[i - 1]));
  auto mid = deltas.begin() + deltas.size() / 2;
  std::nth_element(deltas.begin(), mid, deltas.end());
  return *mid;
}

std::optional<std::string> EncodeGrid(std::span<const int64_t> ts) {
  if (ts.size() < 3) return std::nullopt;
  const int64_t interval = MedianDelta(ts);
  if (interval < 2) return std::nullopt;
  std::vector<int64_t> steps(ts.size() - 1), residuals(ts.size() - 1);
  const __int128 half = interval / 2;
  int64_t prev_k = 0;
  for (size_t i = 1; i < ts.size(); ++i) {
    const __int128 off = static_cast<__int128>(ts[i]) - ts[0];
    // Floor division so that residuals lie in [-interval/2, interval/2).
    __int128 q = off + half;
    __int128 k = q / interval;
    if (q % interval != 0 && q < 0) --k;
    if (k > INT64_MAX || k < INT64_MIN) return std::nullopt;
    steps[i - 1] = S(U(static_cast<int64_t>(k)) - U(prev_k));
    residuals[i - 1] = static_cast<int64_t>(off - k * interval);
    prev_k = static_cast<int64_t>(k);
  }
  std::string out(1, static_cast<char>(kTsGrid));
  PutVarint(&out, ts[0]);
  PutUvarint(&out, static_cast<uint64_t>(interval));
  EncodeIntColumn(steps, &out);
  EncodeIntColumn(residuals, &out);
  return out;
}

}  // namespace

void EncodeTimestamps(std::span<const int64_t> ts, std::string* out) {
  std::string best = EncodeDeltas(ts, false);
  std::string dod = EncodeDeltas(ts, true);
  if (dod.size() < best.size()) best = std::move(dod);
  if (std::optional<std::string> grid = EncodeGrid(ts); grid && grid->size() < best.size()) {
    best = std::move(*grid);
  }
  out->append(best);
}

namespace {

// A kTsShared or kTsSharedRelative column (`kind`): the referenced column
// must hold exactly n timestamps.
bool DecodeSharedTimestamps(Decoder& d, uint8_t kind, size_t n, int64_t* out, Scratch* s,
                            const char** what, const SharedColumns* shared,
                            absl::Status* shared_error) {
  const uint64_t ref = d.Uvarint() + (kind == kTsSharedRelative ? kSharedRefBase : 0);
  if (!d.ok()) return Fail(what, "truncated shared timestamp reference");
  if (shared == nullptr) return Fail(what, "shared timestamp column outside a block");
  std::span<const uint8_t> bytes;
  if (absl::Status st = shared->SharedColumn(ref, ChunkEncoding::kTimestamps, &bytes); !st.ok()) {
    if (shared_error != nullptr) *shared_error = std::move(st);
    return Fail(what, "shared timestamp column unreadable");
  }
  Decoder column(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  if (column.Uvarint() != n || !column.ok()) {
    return Fail(what, "shared timestamp column of another length");
  }
  // No resolver inside: a shared column never refers to another.
  if (!DecodeTimestamps(column, n, out, s, what)) return false;
  if (!column.done()) return Fail(what, "trailing bytes after a shared timestamp column");
  return true;
}

}  // namespace

bool DecodeTimestamps(Decoder& d, size_t n, int64_t* out, Scratch* s, const char** what,
                      const SharedColumns* shared, absl::Status* shared_error) {
  if (d.Peek() == kTsShared || d.Peek() == kTsSharedRelative) {
    const uint8_t kind = d.Byte();
    return DecodeSharedTimestamps(d, kind, n, out, s, what, shared, shared_error);
  }
  const uint8_t kind = d.Byte();
  const uint64_t t0 = U(d.Varint());
  if (!d.ok()) return Fail(what, "truncated timestamp column");
  out[0] = S(t0);
  int64_t* col = out + 1;  // the n-1 column values land in place, then accumulate
  switch (kind) {
    case kTsDelta: {
      if (!DecodeIntColumn(d, n - 1, col, s->bytes, what)) return false;
      uint64_t t = t0;
      for (size_t i = 1; i < n; ++i) out[i] = S(t += U(out[i]));
      return true;
    }
    case kTsDod: {
      if (!DecodeIntColumn(d, n - 1, col, s->bytes, what)) return false;
      uint64_t t = t0, delta = 0;
      for (size_t i = 1; i < n; ++i) {
        delta += U(out[i]);
        out[i] = S(t += delta);
      }
      return true;
    }
    case kTsGrid: {
      const uint64_t interval = d.Uvarint();
      if (!d.ok()) return Fail(what, "truncated timestamp grid");
      if (!DecodeIntColumn(d, n - 1, col, s->bytes, what)) return false;
      s->ints->resize(n);
      int64_t* res = s->ints->data();
      if (!DecodeIntColumn(d, n - 1, res, s->bytes, what)) return false;
      uint64_t k = 0;
      for (size_t i = 1; i < n; ++i) {
        k += U(out[i]);
        out[i] = S(t0 + k * interval + U(res[i - 1]));
      }
      return true;
    }
    default:
      return Fail(what, "unknown timestamp column kind");
  }
}

}  // namespace strata::cold
