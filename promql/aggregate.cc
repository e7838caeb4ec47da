// PromQL aggregations over one step's instant vector: the entry point,
// grouping, sum/avg/min/max/count/group/stddev/stdvar/quantile and
// count_values, as Prometheus 3's engine.go (aggregation,
// aggregationCountValues) and quantile.go compute them. topk, bottomk,
// limitk and limit_ratio live in aggregate_k.cc.
#include "promql/aggregate.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "promql/aggregate_internal.h"
#include "promql/label_util.h"
#include "promql/parser.h"

namespace strata::promql {

using aggregate_internal::AssignGroups;
using aggregate_internal::GoSort;

namespace aggregate_internal {

std::string GoFormatG(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const std::to_chars_result r =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const std::string sci(buf, r.ptr);
  const size_t e = sci.find('e');
  const int exp = std::stoi(sci.substr(e + 1));
  // Go's %g with the shortest precision switches to %e when the exponent is
  // < -4 or >= 6 (the precision it assumes for the decision).
  if (exp < -4 || exp >= 6) return sci;
  const std::to_chars_result fixed =
      std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

std::string ParamPositionSuffix(const AggregateStep& step) {
  if (step.query.empty() || step.expr == nullptr || step.expr->param == nullptr) return "";
  // Prometheus strips parentheses around the parameter before evaluating.
  const Expr* p = step.expr->param.get();
  while (const ParenExpr* paren = p->DynCast<ParenExpr>()) p = paren->expr.get();
  return " (" + FormatPosition(step.query, p->position_range().start) + ")";
}

uint32_t AssignGroups(const AggregateExpr& e, const Vector& in, AggregateScratch* scratch) {
  scratch->group_index.clear();
  scratch->group_of.resize(in.size());
  scratch->first_of_group.clear();
  scratch->key_of_group.clear();
  auto key_of = [&](const Sample& s) {
    if (s.origin < 0) {
      return e.without ? HashDropWithName(s.metric, e.grouping)
                       : HashKeepOnly(s.metric, e.grouping);
    }
    const size_t o = static_cast<size_t>(s.origin);
    if (o >= scratch->key_known.size()) {
      scratch->key_known.resize(o + 1, 0);
      scratch->key_of_origin.resize(o + 1);
    }
    if (!scratch->key_known[o]) {
      scratch->key_of_origin[o] =
          e.without ? HashDropWithName(s.metric, e.grouping) : HashKeepOnly(s.metric, e.grouping);
      scratch->key_known[o] = 1;
    }
    return scratch->key_of_origin[o];
  };
  for (size_t i = 0; i < in.size(); ++i) {
    const uint64_t key = key_of(in[i]);
    auto [it, inserted] = scratch->group_index.try_emplace(
        key, static_cast<uint32_t>(scratch->first_of_group.size()));
    if (inserted) {
      scratch->first_of_group.push_back(static_cast<uint32_t>(i));
      scratch->key_of_group.push_back(key);
    }
    scratch->group_of[i] = it->second;
  }
  return static_cast<uint32_t>(scratch->first_of_group.size());
}

}  // namespace aggregate_internal

namespace {

// Neumaier's compensated summation step, as Prometheus's kahansum.Inc.
inline std::pair<double, double> KahanSumInc(double inc, double sum, double c) {
  const double t = sum + inc;
  if (std::isinf(t)) {
    c = 0;
  } else if (std::fabs(sum) >= std::fabs(inc)) {
    c += (sum - t) + inc;
  } else {
    c += (inc - t) + sum;
  }
  return {t, c};
}

Labels GroupLabels(const AggregateExpr& e, const Labels& metric) {
  return e.without ? DropWithName(metric, e.grouping) : KeepOnly(metric, e.grouping);
}

// The first sample of a group.
void InitGroup(TokenKind op, const Sample& s, AggregateScratch* scratch, AggGroup* g) {
  *g = AggGroup{.value = s.f, .mean = s.f, .count = 1, .drop_name = s.drop_name};
  if (op == TokenKind::kStddev || op == TokenKind::kStdvar) {
    g->value = (std::isnan(s.f) || std::isinf(s.f)) ? std::numeric_limits<double>::quiet_NaN() : 0;
  } else if (op == TokenKind::kGroup) {
    g->value = 1;
  } else if (op == TokenKind::kQuantile) {
    std::vector<double>& vals = scratch->values[g - scratch->groups.data()];
    vals.clear();
    vals.push_back(s.f);
  }
}

// Prometheus 3's avg: a compensated running sum while it stays finite, then
// an incremental mean from the first sample that would overflow it.
void AddToAvg(double f, AggGroup* g) {
  g->count++;
  if (!g->incremental_mean) {
    const auto [sum, c] = KahanSumInc(f, g->value, g->kahan_c);
    if (!std::isinf(sum)) {
      g->value = sum;
      g->kahan_c = c;
      return;
    }
    g->incremental_mean = true;
    g->mean = g->value / (g->count - 1);
    g->kahan_c /= g->count - 1;
  }
  const double q = (g->count - 1) / g->count;
  std::tie(g->mean, g->kahan_c) = KahanSumInc(f / g->count, q * g->mean, q * g->kahan_c);
}

// A further sample of a group.
void AddToGroup(TokenKind op, double f, AggregateScratch* scratch, AggGroup* g) {
  switch (op) {
    case TokenKind::kSum:
      std::tie(g->value, g->kahan_c) = KahanSumInc(f, g->value, g->kahan_c);
      break;
    case TokenKind::kAvg:
      AddToAvg(f, g);
      break;
    case TokenKind::kMax:
      if (g->value < f || std::isnan(g->value)) g->value = f;
      break;
    case TokenKind::kMin:
      if (g->value > f || std::isnan(g->value)) g->value = f;
      break;
    case TokenKind::kCount:
      g->count++;
      break;
    case TokenKind::kStddev:
    case TokenKind::kStdvar: {
      // Welford's online algorithm.
      g->count++;
      const double delta = f - g->mean;
      g->mean += delta / g->count;
      g->value += delta * (f - g->mean);
      break;
    }
    case TokenKind::kQuantile:
      scratch->values[g - scratch->groups.data()].push_back(f);
      break;
    default:  // kGroup: the value stays 1
      break;
  }
}

// quantile.go's quantile(): sorts with Go's sort.Sort and the heap's order
// (NaN first), then interpolates between the two closest ranks.
double Quantile(double q, std::vector<double>* values) {
  if (values->empty() || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::vector<double>& v = *values;
  GoSort(
      static_cast<int>(v.size()), [&](int i, int j) { return std::isnan(v[i]) || v[i] < v[j]; },
      [&](int i, int j) { std::swap(v[i], v[j]); });
  const double n = static_cast<double>(v.size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return v[static_cast<size_t>(lower)] * (1 - weight) + v[static_cast<size_t>(upper)] * weight;
}

double FinalValue(TokenKind op, double q, AggregateScratch* scratch, AggGroup* g) {
  switch (op) {
    case TokenKind::kAvg:
      if (g->incremental_mean) return g->mean + g->kahan_c;
      return g->value / g->count + g->kahan_c / g->count;
    case TokenKind::kCount:
      return g->count;
    case TokenKind::kStdvar:
      return g->value / g->count;
    case TokenKind::kStddev:
      return std::sqrt(g->value / g->count);
    case TokenKind::kQuantile:
      return Quantile(q, &scratch->values[g - scratch->groups.data()]);
    case TokenKind::kSum:
      return g->value + g->kahan_c;
    default:
      return g->value;
  }
}

void WarnInvalidQuantile(const AggregateStep& step) {
  const double q = step.param;
  if (step.annotations == nullptr || (q >= 0 && q <= 1)) return;
  step.annotations->AddWarning("PromQL warning: quantile value should be between 0 and 1, got " +
                               aggregate_internal::GoFormatG(q) +
                               aggregate_internal::ParamPositionSuffix(step));
}

// sum, avg, min, max, count, group, stddev, stdvar, quantile.
void AggregateGroups(const AggregateStep& step, const Vector& in, AggregateScratch* scratch,
                     Vector* out) {
  const AggregateExpr& e = *step.expr;
  if (e.op == TokenKind::kQuantile) WarnInvalidQuantile(step);
  const uint32_t n = AssignGroups(e, in, scratch);
  scratch->groups.resize(n);
  if (e.op == TokenKind::kQuantile && scratch->values.size() < n) scratch->values.resize(n);
  for (size_t i = 0; i < in.size(); ++i) {
    const uint32_t gi = scratch->group_of[i];
    AggGroup* g = &scratch->groups[gi];
    if (scratch->first_of_group[gi] == i) {  // groups are numbered in first-seen order
      InitGroup(e.op, in[i], scratch, g);
      continue;
    }
    if (in[i].drop_name) g->drop_name = true;
    AddToGroup(e.op, in[i].f, scratch, g);
  }
  out->reserve(out->size() + n);
  for (uint32_t gi = 0; gi < n; ++gi) {
    AggGroup& g = scratch->groups[gi];
    auto [labels, inserted] = scratch->group_labels.try_emplace(scratch->key_of_group[gi]);
    if (inserted) labels->second = GroupLabels(e, in[scratch->first_of_group[gi]].metric);
    out->push_back(Sample{.metric = labels->second,
                          .t = step.ts,
                          .f = FinalValue(e.op, step.param, scratch, &g),
                          .drop_name = g.drop_name});
  }
}

// strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip digits, no
// exponent; "NaN", "+Inf", "-Inf".
std::string FormatLabelValue(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  char buf[512];  // the longest fixed form (a subnormal) is ~330 chars
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::fixed);
  return std::string(buf, end);
}

absl::Status CountValues(const AggregateStep& step, const Vector& in, AggregateScratch* scratch,
                         Vector* out) {
  const AggregateExpr& e = *step.expr;
  if (step.label.empty() || !IsValidUtf8(step.label)) {
    return absl::InvalidArgumentError("invalid label name " + GoQuote(step.label));
  }
  // `by` also keeps the value label; `without` may even drop it, as in
  // Prometheus.
  std::vector<std::string>& names = scratch->names;
  names.assign(e.grouping.begin(), e.grouping.end());
  if (!e.without) names.emplace_back(step.label);

  struct Counted {
    Labels labels;
    double count;
  };
  std::vector<Counted> counted;
  scratch->group_index.clear();
  for (const Sample& s : in) {
    // Allocates per sample, as Prometheus does: count_values is rare.
    const Labels metric = WithLabel(s.metric, step.label, FormatLabelValue(s.f));
    const uint64_t key = e.without ? HashDropWithName(metric, names) : HashKeepOnly(metric, names);
    auto [it, inserted] =
        scratch->group_index.try_emplace(key, static_cast<uint32_t>(counted.size()));
    if (!inserted) {
      counted[it->second].count++;
      continue;
    }
    counted.push_back({e.without ? DropWithName(metric, names) : KeepOnly(metric, names), 1});
  }
  // Prometheus emits the groups in Go map order (random); first-seen order
  // is as good and deterministic.
  for (Counted& c : counted) {
    out->push_back(Sample{.metric = std::move(c.labels), .t = step.ts, .f = c.count});
  }
  return absl::OkStatus();
}

}  // namespace

std::unique_ptr<AggregateScratch, void (*)(AggregateScratch*)> NewAggregateScratch() {
  return {new AggregateScratch(), [](AggregateScratch* s) { delete s; }};
}

absl::Status Aggregate(const AggregateStep& step, const Vector& in, AggregateScratch* scratch,
                       Vector* out) {
  if (step.expr == nullptr) return absl::InvalidArgumentError("aggregation without expression");
  switch (step.expr->op) {
    case TokenKind::kCountValues:
      return CountValues(step, in, scratch, out);
    case TokenKind::kTopk:
    case TokenKind::kBottomk:
    case TokenKind::kLimitk:
    case TokenKind::kLimitRatio:
      return aggregate_internal::AggregateK(step, in, scratch, out);
    case TokenKind::kSum:
    case TokenKind::kAvg:
    case TokenKind::kMin:
    case TokenKind::kMax:
    case TokenKind::kCount:
    case TokenKind::kGroup:
    case TokenKind::kStddev:
    case TokenKind::kStdvar:
    case TokenKind::kQuantile:
      AggregateGroups(step, in, scratch, out);
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError("expected aggregation operator");
  }
}

}  // namespace strata::promql
