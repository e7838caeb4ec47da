// The histogram functions of PromQL over classic histograms (series of
// cumulative bucket counts with an `le` label): histogram_quantile and
// histogram_fraction, as Prometheus 3's promql/functions.go, engine.go
// (resetHistograms) and quantile.go (BucketQuantile, BucketFraction) compute
// them, with their annotations. histogram_count/sum/avg/stddev/stdvar read
// only native histograms, which Strata does not store yet: over float
// samples they return nothing, as Prometheus does.
//
// Buckets are grouped by their labels without `le`. The output keeps
// __name__ and marks it for removal (Prometheus 3 with delayed name
// removal), so `histogram_quantile(0.9, {__name__=~"a_bucket|b_bucket"})`
// gives one result per metric. Groups are output in first-seen order
// (Prometheus iterates a Go map, so its order is unspecified).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "promql/function_impls.h"

namespace strata::promql {
namespace {

constexpr std::string_view kBucketLabel = "le";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// quantile.go's smallDeltaTolerance: relative differences below this between
// adjacent buckets are floating-point noise.
constexpr double kSmallDeltaTolerance = 1e-12;

// --- Go number syntax -------------------------------------------------------

bool IsDigit(char c, bool hex) {
  return (c >= '0' && c <= '9') || (hex && absl::ascii_isxdigit(static_cast<unsigned char>(c)));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                absl::string_view(b.data(), b.size()));
}

// Go's strconv.ParseFloat(s, 64) for the `le` values: decimal or hex-float
// syntax, "Inf"/"Infinity"/"NaN" in any case; false on bad syntax or
// overflow. (Go's '_' digit separators after a base prefix are not accepted.)
bool ParseGoFloat(std::string_view s, double* v) {
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) {
    *v = negative ? -kInf : kInf;
    return true;
  }
  if (EqualsIgnoreCase(s, "nan")) {
    *v = kNaN;
    return true;
  }
  const bool hex = body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
  size_t i = hex ? 2 : 0, digits = 0;
  while (i < body.size() && IsDigit(body[i], hex)) ++i, ++digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && IsDigit(body[i], hex)) ++i, ++digits;
  }
  if (digits == 0) return false;
  const char exp_char = hex ? 'p' : 'e';
  if (i < body.size() && absl::ascii_tolower(static_cast<unsigned char>(body[i])) == exp_char) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < body.size() && IsDigit(body[i], false)) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  } else if (hex) {
    return false;  // Go requires the 'p' exponent of a hex float
  }
  if (i != body.size()) return false;
  const std::string copy(s);
  *v = std::strtod(copy.c_str(), nullptr);
  return !std::isinf(*v);  // overflow is an error in Go; underflow is not
}

// Go's %g (shortest digits): exponent form below 1e-4 and from 1e6 on (Go
// decides with precision 6 when printing the shortest digits), e.g. "-0.1",
// "1e+06", "1.5e-05", "NaN", "+Inf".
std::string GoFormatG(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  const size_t e = sci.find('e');
  std::string_view mant = sci.substr(0, e);
  const int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string out;
  if (!mant.empty() && mant[0] == '-') {
    out.push_back('-');
    mant.remove_prefix(1);
  }
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits.push_back(c);
  }
  if (exp < -4 || exp >= 6) {
    out.push_back(digits[0]);
    if (digits.size() > 1) absl::StrAppend(&out, ".", digits.substr(1));
    absl::StrAppend(&out, exp < 0 ? "e-" : "e+", std::abs(exp) < 10 ? "0" : "", std::abs(exp));
    return out;
  }
  if (exp < 0) {
    absl::StrAppend(&out, "0.", std::string(static_cast<size_t>(-exp - 1), '0'), digits);
  } else if (static_cast<size_t>(exp) + 1 >= digits.size()) {
    absl::StrAppend(&out, digits, std::string(static_cast<size_t>(exp) + 1 - digits.size(), '0'));
  } else {
    absl::StrAppend(&out, digits.substr(0, static_cast<size_t>(exp) + 1), ".",
                    digits.substr(static_cast<size_t>(exp) + 1));
  }
  return out;
}

// --- quantile.go ----------------------------------------------------------

struct Bucket {
  double upper_bound;
  double count;
};

// Prometheus's util/almost.Equal.
bool AlmostEqual(double a, double b, double epsilon) {
  constexpr double kMinNormal = 2.2250738585072014e-308;
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  const double abs_sum = std::fabs(a) + std::fabs(b);
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < epsilon * kMinNormal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < epsilon;
}

// Sorts by upper bound and merges buckets with equal bounds.
void SortAndCoalesce(std::vector<Bucket>* buckets) {
  std::stable_sort(buckets->begin(), buckets->end(),
                   [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  size_t n = 0;
  for (size_t i = 1; i < buckets->size(); ++i) {
    if ((*buckets)[i].upper_bound == (*buckets)[n].upper_bound) {
      (*buckets)[n].count += (*buckets)[i].count;
    } else {
      (*buckets)[++n] = (*buckets)[i];
    }
  }
  buckets->resize(n + 1);
}

// ensureMonotonicAndIgnoreSmallDeltas: absorbs tiny differences in either
// direction, then removes decreases. Returns whether a decrease was removed.
bool EnsureMonotonic(std::vector<Bucket>* buckets) {
  bool forced = false;
  double prev = (*buckets)[0].count;
  for (size_t i = 1; i < buckets->size(); ++i) {
    const double curr = (*buckets)[i].count;
    if (curr == prev) continue;
    if (AlmostEqual(prev, curr, kSmallDeltaTolerance)) {
      (*buckets)[i].count = prev;
      continue;
    }
    if (curr < prev) {
      (*buckets)[i].count = prev;
      forced = true;
      continue;
    }
    prev = curr;
  }
  return forced;
}

// BucketQuantile. `buckets` is non-empty; `forced` reports a monotonicity fix.
double BucketQuantile(double q, std::vector<Bucket>* buckets, bool* forced) {
  *forced = false;
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  SortAndCoalesce(buckets);
  const std::vector<Bucket>& b = *buckets;
  if (b.back().upper_bound != kInf) return kNaN;
  *forced = EnsureMonotonic(buckets);
  if (b.size() < 2) return kNaN;
  const double observations = b.back().count;
  if (observations == 0) return kNaN;
  double rank = q * observations;
  // sort.Search over all but the +Inf bucket.
  const size_t i =
      static_cast<size_t>(std::partition_point(b.begin(), b.end() - 1,
                                               [rank](const Bucket& x) { return x.count < rank; }) -
                          b.begin());
  if (i == b.size() - 1) return b[b.size() - 2].upper_bound;
  if (i == 0 && b[0].upper_bound <= 0) return b[0].upper_bound;
  double start = 0;
  double count = b[i].count;
  if (i > 0) {
    start = b[i - 1].upper_bound;
    count -= b[i - 1].count;
    rank -= b[i - 1].count;
  }
  return start + (b[i].upper_bound - start) * (rank / count);
}

// BucketFraction: the fraction of observations in (lower, upper], with linear
// interpolation inside buckets (the lowest bucket starts at 0 when its bound
// is positive, else at -Inf).
double BucketFraction(double lower, double upper, std::vector<Bucket>* buckets) {
  SortAndCoalesce(buckets);
  const std::vector<Bucket>& b = *buckets;
  if (b.back().upper_bound != kInf) return kNaN;
  const double count = b.back().count;
  if (count == 0 || std::isnan(lower) || std::isnan(upper)) return kNaN;
  if (lower >= upper) return 0;
  double rank = 0, lower_rank = 0, upper_rank = 0;
  bool lower_set = false, upper_set = false;
  double lower_bound = b[0].upper_bound <= 0 ? -kInf : 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i > 0) lower_bound = b[i - 1].upper_bound;
    const double upper_bound = b[i].upper_bound;
    auto interpolate = [&](double v) {
      if (lower_bound == -kInf) return b[i].count;
      return rank + (b[i].count - rank) * (v - lower_bound) / (upper_bound - lower_bound);
    };
    if (!lower_set && lower_bound >= lower) lower_rank = rank, lower_set = true;
    if (!upper_set && lower_bound >= upper) upper_rank = rank, upper_set = true;
    if (lower_set && upper_set) break;
    if (!lower_set && lower_bound < lower && upper_bound > lower) {
      lower_rank = interpolate(lower), lower_set = true;
    }
    if (!upper_set && lower_bound < upper && upper_bound > upper) {
      upper_rank = interpolate(upper), upper_set = true;
    }
    if (lower_set && upper_set) break;
    rank = b[i].count;
  }
  if (!lower_set || lower_rank > count) lower_rank = count;
  if (!upper_set || upper_rank > count) upper_rank = count;
  return (upper_rank - lower_rank) / count;
}

// --- Grouping (engine.go's resetHistograms) ---------------------------------

struct BucketGroup {
  Labels metric;  // the labels without `le`
  std::vector<Bucket> buckets;
};

std::string WithMetricName(std::string msg, std::string_view name) {
  if (!name.empty()) absl::StrAppend(&msg, " for metric name ", GoQuote(name));
  return msg;
}

bool SameLabels(const Labels& l, std::span<const Label> pairs) {
  if (l.size() != pairs.size()) return false;
  size_t i = 0;
  bool same = true;
  l.ForEach([&](Label x) { same = same && x == pairs[i++]; });
  return same;
}

// Groups the float samples of `in` by their labels without `le`; samples
// whose `le` does not parse are skipped with a warning at argument `arg`.
std::vector<BucketGroup> GroupBuckets(const Vector& in, const FunctionContext& ctx, int arg) {
  std::vector<BucketGroup> groups;
  absl::flat_hash_map<uint64_t, std::vector<size_t>> by_hash;
  std::vector<Label> rest;
  for (const Sample& s : in) {
    const std::string_view le = s.metric.Get(kBucketLabel);
    double upper = 0;
    if (!ParseGoFloat(le, &upper)) {
      if (ctx.annotations != nullptr) {
        ctx.annotations->AddWarning(absl::StrCat(
            WithMetricName(absl::StrCat("PromQL warning: bucket label \"le\" is missing or has a "
                                        "malformed value of ",
                                        GoQuote(le)),
                           s.metric.Get(kMetricNameLabel)),
            " (", ctx.Position(arg), ")"));
      }
      continue;
    }
    rest.clear();
    s.metric.ForEach([&](Label l) {
      if (l.name != kBucketLabel) rest.push_back(l);
    });
    std::vector<size_t>& candidates = by_hash[Labels::HashSorted(rest)];
    BucketGroup* group = nullptr;
    for (size_t idx : candidates) {
      if (SameLabels(groups[idx].metric, rest)) group = &groups[idx];
    }
    if (group == nullptr) {
      candidates.push_back(groups.size());
      group = &groups.emplace_back(BucketGroup{Labels::FromSorted(rest), {}});
    }
    group->buckets.push_back(Bucket{upper, s.f});
  }
  return groups;
}

void AddInvalidQuantileWarning(double q, const FunctionContext& ctx) {
  if (ctx.annotations == nullptr) return;
  ctx.annotations->AddWarning(
      absl::StrCat("PromQL warning: quantile value should be between 0 and 1, got ", GoFormatG(q),
                   " (", ctx.Position(0), ")"));
}

// histogram_quantile(q, buckets).
absl::Status HistogramQuantile(std::span<const FunctionArg> args, FunctionContext& ctx,
                               Vector* out) {
  const double q = args[0].scalar;
  if (std::isnan(q) || q < 0 || q > 1) AddInvalidQuantileWarning(q, ctx);
  if (args[1].vector == nullptr) return absl::OkStatus();
  for (BucketGroup& g : GroupBuckets(*args[1].vector, ctx, 1)) {
    bool forced = false;
    const double v = BucketQuantile(q, &g.buckets, &forced);
    if (forced && ctx.annotations != nullptr) {
      ctx.annotations->AddInfo(absl::StrCat(
          WithMetricName("PromQL info: input to histogram_quantile needed to be fixed for "
                         "monotonicity (see https://prometheus.io/docs/prometheus/latest/"
                         "querying/functions/#histogram_quantile)",
                         g.metric.Get(kMetricNameLabel)),
          " (", ctx.Position(1), ")"));
    }
    out->push_back(Sample{std::move(g.metric), ctx.ts, v, /*drop_name=*/true});
  }
  return absl::OkStatus();
}

// histogram_fraction(lower, upper, buckets).
absl::Status HistogramFraction(std::span<const FunctionArg> args, FunctionContext& ctx,
                               Vector* out) {
  if (args[2].vector == nullptr) return absl::OkStatus();
  for (BucketGroup& g : GroupBuckets(*args[2].vector, ctx, 2)) {
    const double v = BucketFraction(args[0].scalar, args[1].scalar, &g.buckets);
    out->push_back(Sample{std::move(g.metric), ctx.ts, v, /*drop_name=*/true});
  }
  return absl::OkStatus();
}

// Functions of native histograms only: float samples produce nothing.
absl::Status NativeOnly(std::span<const FunctionArg>, FunctionContext&, Vector*) {
  return absl::OkStatus();
}

constexpr FunctionImpl kHistogramFunctions[] = {
    {"histogram_avg", NativeOnly},
    {"histogram_count", NativeOnly},
    {"histogram_fraction", HistogramFraction},
    {"histogram_quantile", HistogramQuantile},
    {"histogram_stddev", NativeOnly},
    {"histogram_stdvar", NativeOnly},
    {"histogram_sum", NativeOnly},
};

}  // namespace

std::span<const FunctionImpl> HistogramFunctionImpls() { return kHistogramFunctions; }

}  // namespace strata::promql
