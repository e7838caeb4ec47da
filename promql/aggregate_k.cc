// topk, bottomk, limitk and limit_ratio over one step's instant vector, as
// Prometheus 3's engine.go (aggregationK, HashRatioSampler) computes them:
// same heaps, same final sort, so the output order of an instant query is
// Prometheus's too.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/statusor.h"
#include "promql/aggregate_internal.h"
#include "xxhash.h"

namespace strata::promql::aggregate_internal {
namespace {

// The largest float64 that converts to an int64 without overflow
// (Prometheus's maxInt64).
constexpr double kMaxInt64 = 9223372036854774784.0;

// Go's heap.Interface Less of vectorByValueHeap (`reverse` false: smallest
// value on top) and vectorByReverseValueHeap (`reverse` true). NaN sorts as
// "less" than anything, so it is the first to be replaced.
inline bool HeapLess(const std::vector<KEntry>& h, int i, int j, bool reverse) {
  if (std::isnan(h[i].f)) return true;
  return reverse ? h[i].f > h[j].f : h[i].f < h[j].f;
}

void HeapPush(std::vector<KEntry>* h, KEntry e, bool reverse) {
  h->push_back(e);
  GoHeapUp(
      static_cast<int>(h->size()) - 1, [&](int i, int j) { return HeapLess(*h, i, j, reverse); },
      [&](int i, int j) { std::swap((*h)[i], (*h)[j]); });
}

// heap.Fix(h, 0) after the top was overwritten.
void HeapFixTop(std::vector<KEntry>* h, bool reverse) {
  auto less = [&](int i, int j) { return HeapLess(*h, i, j, reverse); };
  auto swap = [&](int i, int j) { std::swap((*h)[i], (*h)[j]); };
  if (!GoHeapDown(0, static_cast<int>(h->size()), less, swap)) GoHeapUp(0, less, swap);
}

// sort.Sort(sort.Reverse(heap)): largest first for topk, smallest first for
// bottomk, NaN last.
void SortReversed(std::vector<KEntry>* h, bool reverse) {
  GoSort(
      static_cast<int>(h->size()), [&](int i, int j) { return HeapLess(*h, j, i, reverse); },
      [&](int i, int j) { std::swap((*h)[i], (*h)[j]); });
}

// Prometheus's labels.Hash() in its default build (stringlabels): xxHash64
// of the set's encoding, each name and value preceded by its length (one
// byte below 255, else 0xff and three little-endian bytes).
uint64_t PrometheusLabelsHash(const Labels& l, std::string* buf) {
  buf->clear();
  auto append = [buf](std::string_view s) {
    if (s.size() < 255) {
      buf->push_back(static_cast<char>(s.size()));
    } else {
      buf->push_back(static_cast<char>(0xff));
      for (int shift = 0; shift < 24; shift += 8) {
        buf->push_back(static_cast<char>((s.size() >> shift) & 0xff));
      }
    }
    buf->append(s);
  };
  l.ForEach([&](Label p) {
    append(p.name);
    append(p.value);
  });
  return XXH64(buf->data(), buf->size(), 0);
}

// HashRatioSampler.AddRatioSample: the series' hash as a fraction of the
// uint64 range decides, so a series is in or out consistently over time,
// and r and -(1-r) select complementary sets.
bool AddRatioSample(double ratio, const Labels& metric, std::string* buf) {
  const double offset = static_cast<double>(PrometheusLabelsHash(metric, buf)) /
                        static_cast<double>(std::numeric_limits<uint64_t>::max());
  return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1.0 + ratio);
}

// Checks the parameter as rangeEvalAgg does (for one step) and returns k,
// or 0 when the step has no output.
absl::StatusOr<int64_t> CheckK(double p, size_t inputs) {
  if (p < 1) return 0;  // also catches -Inf; NaN falls through
  if (std::isnan(p)) return absl::InvalidArgumentError("Parameter value is NaN");
  if (p >= kMaxInt64) {
    return absl::InvalidArgumentError("Scalar value " + GoFormatG(p) + " overflows int64");
  }
  return std::min(static_cast<int64_t>(p), static_cast<int64_t>(inputs));
}

// Returns the clamped ratio, or 0 when the step has no output.
absl::StatusOr<double> CheckRatio(const AggregateStep& step) {
  const double p = step.param;
  if (p == 0) return 0.0;
  if (std::isnan(p)) return absl::InvalidArgumentError("Ratio value is NaN");
  if (p <= 1.0 && p >= -1.0) return p;
  const double to = p > 1.0 ? 1.0 : -1.0;
  if (step.annotations != nullptr) {
    step.annotations->AddWarning("PromQL warning: ratio value should be between -1 and 1, got " +
                                 GoFormatG(p) + ", capping to " + GoFormatG(to) +
                                 ParamPositionSuffix(step));
  }
  return to;
}

// Offers input sample `e` to its group's heap (not the group's first).
void Offer(TokenKind op, KEntry e, int64_t k, double ratio, const Labels& metric,
           AggregateScratch* scratch, std::vector<KEntry>* h) {
  const int64_t size = static_cast<int64_t>(h->size());
  switch (op) {
    case TokenKind::kTopk:
    case TokenKind::kBottomk: {
      const bool reverse = op == TokenKind::kBottomk;
      if (size < k) {
        HeapPush(h, e, reverse);
        return;
      }
      const double top = (*h)[0].f;
      const bool better = reverse ? top > e.f : top < e.f;
      if (better || (std::isnan(top) && !std::isnan(e.f))) {
        (*h)[0] = e;
        if (k > 1) HeapFixTop(h, reverse);
      }
      return;
    }
    case TokenKind::kLimitk:
      if (size < k) HeapPush(h, e, false);
      return;
    default:  // kLimitRatio
      if (AddRatioSample(ratio, metric, &scratch->hash_buf)) HeapPush(h, e, false);
      return;
  }
}

}  // namespace

absl::Status AggregateK(const AggregateStep& step, const Vector& in, AggregateScratch* scratch,
                        Vector* out) {
  const TokenKind op = step.expr->op;
  int64_t k = 0;
  double ratio = 0;
  if (op == TokenKind::kLimitRatio) {
    absl::StatusOr<double> r = CheckRatio(step);
    if (!r.ok()) return r.status();
    ratio = *r;
    if (ratio == 0) return absl::OkStatus();
  } else {
    absl::StatusOr<int64_t> checked = CheckK(step.param, in.size());
    if (!checked.ok()) return checked.status();
    k = *checked;
    if (k < 1) return absl::OkStatus();
  }

  const uint32_t n = AssignGroups(*step.expr, in, scratch);
  if (scratch->heaps.size() < n) scratch->heaps.resize(n);
  for (size_t i = 0; i < in.size(); ++i) {
    const uint32_t g = scratch->group_of[i];
    std::vector<KEntry>* h = &scratch->heaps[g];
    const KEntry e{in[i].f, static_cast<uint32_t>(i)};
    if (scratch->first_of_group[g] == i) {
      h->clear();
      // The first sample starts the heap, except that limit_ratio may skip it.
      if (op != TokenKind::kLimitRatio || AddRatioSample(ratio, in[i].metric, &scratch->hash_buf)) {
        h->push_back(e);
      }
      continue;
    }
    Offer(op, e, k, ratio, in[i].metric, scratch, h);
  }

  for (uint32_t g = 0; g < n; ++g) {
    std::vector<KEntry>* h = &scratch->heaps[g];
    if ((op == TokenKind::kTopk || op == TokenKind::kBottomk) && h->size() > 1) {
      SortReversed(h, op == TokenKind::kBottomk);
    }
    for (const KEntry& e : *h) {
      const Sample& s = in[e.index];
      out->push_back(Sample{.metric = s.metric, .t = step.ts, .f = s.f, .drop_name = s.drop_name});
    }
  }
  return absl::OkStatus();
}

}  // namespace strata::promql::aggregate_internal
