// Engine: parses a query, opens one querier over the time range the query
// reads, evaluates it and shapes the result as Prometheus's API returns it.
#include "promql/engine.h"

#include <algorithm>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "promql/duration_expr.h"
#include "promql/evaluator.h"
#include "promql/functions.h"
#include "promql/label_util.h"
#include "promql/parser.h"
#include "tsdb/base/status_macros.h"

namespace strata::promql {
namespace {

// The storage time range [mint, maxt] an expression evaluated over steps
// [start, end] reads (Prometheus's FindMinMaxTime, with subqueries expanded
// to their own steps' range).
struct Bounds {
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  int64_t lookback = 0;
  int64_t query_start = 0, query_end = 0;

  int64_t Base(int64_t ts, const std::optional<int64_t>& at, AtModifier m) const {
    if (m == AtModifier::kStart) return query_start;
    if (m == AtModifier::kEnd) return query_end;
    return at.has_value() ? *at : ts;
  }

  void Add(const Expr& e, int64_t start, int64_t end) {
    switch (e.kind()) {
      case NodeKind::kVectorSelector: {
        const auto& vs = e.As<VectorSelector>();
        Selector(vs, start, end, lookback);
        return;
      }
      case NodeKind::kMatrixSelector: {
        const auto& ms = e.As<MatrixSelector>();
        Selector(*ms.vector_selector, start, end, DurationMs(ms.range));
        return;
      }
      case NodeKind::kSubqueryExpr: {
        const auto& sq = e.As<SubqueryExpr>();
        const int64_t off = DurationMs(sq.original_offset);
        const int64_t a = Base(start, sq.timestamp, sq.start_or_end) - off;
        const int64_t b = Base(end, sq.timestamp, sq.start_or_end) - off;
        Add(*sq.expr, std::min(a, b) - DurationMs(sq.range), std::max(a, b));
        return;
      }
      case NodeKind::kParenExpr:
        Add(*e.As<ParenExpr>().expr, start, end);
        return;
      case NodeKind::kUnaryExpr:
        Add(*e.As<UnaryExpr>().expr, start, end);
        return;
      case NodeKind::kBinaryExpr:
        Add(*e.As<BinaryExpr>().lhs, start, end);
        Add(*e.As<BinaryExpr>().rhs, start, end);
        return;
      case NodeKind::kAggregateExpr:
        if (e.As<AggregateExpr>().param) Add(*e.As<AggregateExpr>().param, start, end);
        Add(*e.As<AggregateExpr>().expr, start, end);
        return;
      case NodeKind::kCall:
        for (const auto& a : e.As<Call>().args) Add(*a, start, end);
        return;
      default:
        return;
    }
  }

  void Selector(const VectorSelector& vs, int64_t start, int64_t end, int64_t range) {
    const int64_t off = DurationMs(vs.original_offset);
    const int64_t a = Base(start, vs.timestamp, vs.start_or_end) - off;
    const int64_t b = Base(end, vs.timestamp, vs.start_or_end) - off;
    mint = std::min(mint, std::min(a, b) - range);
    maxt = std::max(maxt, std::max(a, b));
  }
};

// Prometheus 3's delayed name removal, applied to the final result: drop
// __name__ where an operation asked for it. Series whose label sets became
// equal are merged when their points do not share a timestamp (a range
// query of `-a or -b` where a and b alternate); otherwise, and for instant
// vectors, equal label sets are an error.
absl::Status CleanupMetricLabels(Matrix* m, bool merge) {
  static constexpr char kDuplicate[] = "vector cannot contain metrics with the same labelset";
  absl::flat_hash_map<uint64_t, size_t> seen;
  size_t kept = 0;
  for (size_t i = 0; i < m->size(); ++i) {
    Series& s = (*m)[i];
    if (s.drop_name) {
      s.metric = WithoutMetricName(s.metric);
      s.drop_name = false;
    }
    auto [it, inserted] = seen.try_emplace(s.metric.Hash(), kept);
    if (inserted) {
      if (kept != i) (*m)[kept] = std::move(s);
      ++kept;
      continue;
    }
    if (!merge) return absl::FailedPreconditionError(kDuplicate);
    std::vector<FPoint>& into = (*m)[it->second].floats;
    std::vector<FPoint> merged;
    merged.reserve(into.size() + s.floats.size());
    size_t a = 0, b = 0;
    while (a < into.size() || b < s.floats.size()) {
      if (a < into.size() && b < s.floats.size() && into[a].t == s.floats[b].t) {
        return absl::FailedPreconditionError(kDuplicate);
      }
      if (b == s.floats.size() || (a < into.size() && into[a].t < s.floats[b].t)) {
        merged.push_back(into[a++]);
      } else {
        merged.push_back(s.floats[b++]);
      }
    }
    into = std::move(merged);
  }
  m->resize(kept);
  return absl::OkStatus();
}

// Prometheus warns that sorting functions do nothing in a range query.
void WarnSortInRangeQuery(const Expr& e, std::string_view query, Annotations* annotations) {
  if (const auto* call = e.DynCast<Call>()) {
    const std::string_view name = call->func->name;
    if (name == "sort" || name == "sort_desc" || name == "sort_by_label" ||
        name == "sort_by_label_desc") {
      annotations->AddWarning(fmt::format(
          "PromQL warning: sort is ineffective for range queries since results are always "
          "ordered by labels ({})",
          FormatPosition(query, call->pos.start)));
    }
    for (const auto& a : call->args) WarnSortInRangeQuery(*a, query, annotations);
    return;
  }
  switch (e.kind()) {
    case NodeKind::kParenExpr:
      return WarnSortInRangeQuery(*e.As<ParenExpr>().expr, query, annotations);
    case NodeKind::kUnaryExpr:
      return WarnSortInRangeQuery(*e.As<UnaryExpr>().expr, query, annotations);
    case NodeKind::kBinaryExpr:
      WarnSortInRangeQuery(*e.As<BinaryExpr>().lhs, query, annotations);
      return WarnSortInRangeQuery(*e.As<BinaryExpr>().rhs, query, annotations);
    case NodeKind::kAggregateExpr:
      if (e.As<AggregateExpr>().param) {
        WarnSortInRangeQuery(*e.As<AggregateExpr>().param, query, annotations);
      }
      return WarnSortInRangeQuery(*e.As<AggregateExpr>().expr, query, annotations);
    case NodeKind::kSubqueryExpr:
      return WarnSortInRangeQuery(*e.As<SubqueryExpr>().expr, query, annotations);
    default:
      return;
  }
}

}  // namespace

absl::StatusOr<QueryResult> Engine::InstantQuery(const Queryable& queryable, std::string_view query,
                                                 int64_t time_ms, const QueryOptions& opts) const {
  return Exec(queryable, query, time_ms, time_ms, 1, /*instant=*/true, opts);
}

absl::StatusOr<QueryResult> Engine::RangeQuery(const Queryable& queryable, std::string_view query,
                                               int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                               const QueryOptions& opts) const {
  if (step_ms <= 0) {
    return absl::InvalidArgumentError(
        "zero or negative query resolution step widths are not accepted. Try a positive "
        "integer");
  }
  if (end_ms < start_ms) {
    return absl::InvalidArgumentError("end timestamp must not be before start time");
  }
  if ((end_ms - start_ms) / step_ms >= options_.max_points_per_series) {
    return absl::InvalidArgumentError(
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
        "resolution (?step=XX)");
  }
  return Exec(queryable, query, start_ms, end_ms, step_ms, /*instant=*/false, opts);
}

absl::StatusOr<QueryResult> Engine::Exec(const Queryable& queryable, std::string_view query,
                                         int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                         bool instant, const QueryOptions& opts) const {
  const absl::Time began = absl::Now();
  ASSIGN_OR_RETURN(std::unique_ptr<Expr> expr, ParseExpr(query));
  RETURN_IF_ERROR(ResolveDurationExpressions(expr.get(), start_ms, end_ms, instant ? 0 : step_ms));
  const ValueType type = expr->type();
  if (!instant && type != ValueType::kScalar && type != ValueType::kVector) {
    return absl::InvalidArgumentError(
        fmt::format("invalid expression type \"{}\" for range query, must be Scalar or instant "
                    "Vector",
                    DocumentedType(type)));
  }

  EvalContext ctx;
  ctx.query = query;
  ctx.query_start = start_ms;
  ctx.query_end = end_ms;
  ctx.query_step_ms = step_ms;
  const absl::Duration lookback =
      opts.lookback_delta > absl::ZeroDuration() ? opts.lookback_delta : options_.lookback_delta;
  ctx.lookback_ms = DurationMs(lookback);
  ctx.default_subquery_step_ms = DurationMs(options_.default_subquery_step);
  ctx.max_samples = options_.max_samples;
  const absl::Duration timeout =
      opts.timeout > absl::ZeroDuration() ? opts.timeout : options_.timeout;
  ctx.deadline = began + timeout;
  ctx.cancel = opts.cancel;

  Bounds bounds;
  bounds.lookback = ctx.lookback_ms;
  bounds.query_start = start_ms;
  bounds.query_end = end_ms;
  bounds.Add(*expr, start_ms, end_ms);
  std::unique_ptr<Querier> querier;
  if (bounds.mint <= bounds.maxt) {
    querier = queryable(bounds.mint, bounds.maxt);
  } else {
    querier = queryable(start_ms, end_ms);  // no selector: never read
  }
  ctx.querier = querier.get();

  Evaluator ev(&ctx, start_ms, end_ms, step_ms);
  ASSIGN_OR_RETURN(Value value, ev.Eval(*expr));

  QueryResult result;
  if (auto* m = std::get_if<Matrix>(&value)) {
    if (type != ValueType::kScalar) {
      RETURN_IF_ERROR(CleanupMetricLabels(m, /*merge=*/!instant || type == ValueType::kMatrix));
    }
    if (instant && type == ValueType::kScalar) {
      result.value = Scalar{start_ms, m->empty() ? 0 : (*m)[0].floats[0].f};
    } else if (instant && type == ValueType::kVector) {
      Vector v;
      v.reserve(m->size());
      for (Series& s : *m) v.push_back(Sample{std::move(s.metric), start_ms, s.floats[0].f});
      result.value = std::move(v);
    } else {
      if (!instant) {
        std::sort(m->begin(), m->end(),
                  [](const Series& a, const Series& b) { return a.metric < b.metric; });
      }
      result.value = std::move(*m);
    }
  } else {
    auto& s = std::get<String>(value);
    s.t = start_ms;
    result.value = std::move(s);
  }
  if (!instant) WarnSortInRangeQuery(*expr, query, &ctx.annotations);
  result.annotations = std::move(ctx.annotations);
  result.stats.total_queryable_samples = ctx.total_samples;
  result.stats.peak_samples = ctx.peak_samples;
  result.stats.exec_seconds = absl::ToDoubleSeconds(absl::Now() - began);
  return result;
}

std::string_view ErrorTypeOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return "bad_data";
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnimplemented:
      return "execution";
    case absl::StatusCode::kDeadlineExceeded:
      return "timeout";
    case absl::StatusCode::kCancelled:
      return "canceled";
    default:
      return "internal";
  }
}

}  // namespace strata::promql
