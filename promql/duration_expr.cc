// Duration expressions: printing, evaluation, and resolution per query
// (Prometheus's printer.go DurationExpr and promql/durations.go).
#include "promql/duration_expr.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "fmt/format.h"
#include "tsdb/base/status_macros.h"

namespace strata::promql {
namespace {

std::unique_ptr<Expr> CloneOrNull(const std::unique_ptr<Expr>& e) {
  return e ? e->Clone() : nullptr;
}

absl::Status PositionedError(const Expr& e, std::string_view message) {
  const PositionRange r = e.position_range();
  return absl::InvalidArgumentError(fmt::format("{}:{}: {}", r.start, r.end, message));
}

// Go's int64(f) on amd64: truncation, and MinInt64 for NaN and for values
// out of range (the conversion is implementation-defined in Go; Prometheus
// runs it unguarded for durations between 2^63/1000 and 2^63 seconds).
int64_t GoFloatToInt64(double f) {
  if (std::isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(f);
}

// Prometheus's calculateDuration: time.Duration(seconds*1000) *
// time.Millisecond, i.e. millisecond precision, truncated, with Go's
// wrapping multiplication.
absl::StatusOr<absl::Duration> CalculateDuration(const DurationExpr& e, double step_s,
                                                 double range_s, bool allow_negative) {
  ASSIGN_OR_RETURN(double seconds, EvaluateDurationExpr(e, step_s, range_s));
  if (seconds <= 0 && !allow_negative) {
    return PositionedError(e, "duration must be greater than 0");
  }
  // float64(1<<63-1) is 2^63.
  if (seconds > 9223372036854775808.0 || seconds < -9223372036854775808.0) {
    return PositionedError(e, "duration is out of range");
  }
  const uint64_t ms = static_cast<uint64_t>(GoFloatToInt64(seconds * 1000));
  const auto ns = static_cast<int64_t>(ms * uint64_t{1000000});
  return absl::Nanoseconds(ns);
}

// Go's math.Min / math.Max: NaN wins, and -0 is below +0.
double GoMinMax(double x, double y, bool max) {
  if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0 && y == 0) return (std::signbit(x) != max) ? x : y;
  return max ? std::fmax(x, y) : std::fmin(x, y);
}

class Resolver {
 public:
  Resolver(double step_s, double range_s) : step_s_(step_s), range_s_(range_s) {}

  // Pre-order, children in Prometheus's order (parser.Children).
  absl::Status Visit(Expr* e) {
    switch (e->kind()) {
      case NodeKind::kVectorSelector:
        return ResolveOffset(e->As<VectorSelector>());
      case NodeKind::kMatrixSelector: {
        auto& m = e->As<MatrixSelector>();
        RETURN_IF_ERROR(Resolve(m.range_expr.get(), false, &m.range));
        return m.vector_selector ? Visit(m.vector_selector.get()) : absl::OkStatus();
      }
      case NodeKind::kSubqueryExpr: {
        auto& s = e->As<SubqueryExpr>();
        RETURN_IF_ERROR(Resolve(s.original_offset_expr.get(), true, &s.original_offset));
        RETURN_IF_ERROR(Resolve(s.step_expr.get(), false, &s.step));
        RETURN_IF_ERROR(Resolve(s.range_expr.get(), false, &s.range));
        return Visit(s.expr.get());
      }
      case NodeKind::kParenExpr:
        return Visit(e->As<ParenExpr>().expr.get());
      case NodeKind::kUnaryExpr:
        return Visit(e->As<UnaryExpr>().expr.get());
      case NodeKind::kBinaryExpr: {
        auto& b = e->As<BinaryExpr>();
        RETURN_IF_ERROR(Visit(b.lhs.get()));
        return Visit(b.rhs.get());
      }
      case NodeKind::kAggregateExpr: {
        auto& a = e->As<AggregateExpr>();
        if (a.expr) RETURN_IF_ERROR(Visit(a.expr.get()));
        return a.param ? Visit(a.param.get()) : absl::OkStatus();
      }
      case NodeKind::kCall:
        for (auto& arg : e->As<Call>().args) RETURN_IF_ERROR(Visit(arg.get()));
        return absl::OkStatus();
      default:
        return absl::OkStatus();
    }
  }

 private:
  absl::Status ResolveOffset(VectorSelector& vs) {
    return Resolve(vs.original_offset_expr.get(), true, &vs.original_offset);
  }

  absl::Status Resolve(const DurationExpr* e, bool allow_negative, absl::Duration* out) {
    if (e == nullptr) return absl::OkStatus();
    ASSIGN_OR_RETURN(*out, CalculateDuration(*e, step_s_, range_s_, allow_negative));
    return absl::OkStatus();
  }

  double step_s_;
  double range_s_;
};

}  // namespace

PositionRange DurationExpr::position_range() const {
  if (op == TokenKind::kStep || op == TokenKind::kRange || op == TokenKind::kMin ||
      op == TokenKind::kMax) {
    return {start, end};
  }
  if (lhs == nullptr) return {start, rhs ? rhs->position_range().end : end};
  return {lhs->position_range().start, rhs->position_range().end};
}

std::string DurationExpr::ToString() const {
  std::string out;
  if (wrapped) out += "(";
  switch (op) {
    case TokenKind::kStep:
      out += "step()";
      break;
    case TokenKind::kRange:
      out += "range()";
      break;
    case TokenKind::kMin:
    case TokenKind::kMax:
      out += fmt::format("{}({}, {})", op == TokenKind::kMin ? "min_of" : "max_of", lhs->ToString(),
                         rhs->ToString());
      break;
    default:
      if (lhs == nullptr) {
        // Unary: Prometheus drops a '+'.
        if (op == TokenKind::kSub) out += "-";
        out += rhs->ToString();
      } else {
        out += fmt::format("{} {} {}", lhs->ToString(), OperatorString(op), rhs->ToString());
      }
  }
  if (wrapped) out += ")";
  return out;
}

std::unique_ptr<Expr> DurationExpr::Clone() const {
  auto c = std::make_unique<DurationExpr>();
  c->op = op;
  c->lhs = CloneOrNull(lhs);
  c->rhs = CloneOrNull(rhs);
  c->wrapped = wrapped;
  c->start = start;
  c->end = end;
  return c;
}

absl::StatusOr<double> EvaluateDurationExpr(const Expr& e, double step_s, double range_s) {
  if (const auto* nl = e.DynCast<NumberLiteral>()) return nl->val;
  const auto* de = e.DynCast<DurationExpr>();
  if (de == nullptr) {
    return absl::InvalidArgumentError(
        fmt::format("unexpected duration expression {}", e.ToString()));
  }
  double lhs = 0, rhs = 0;
  if (de->lhs) {
    ASSIGN_OR_RETURN(lhs, EvaluateDurationExpr(*de->lhs, step_s, range_s));
  }
  if (de->rhs) {
    ASSIGN_OR_RETURN(rhs, EvaluateDurationExpr(*de->rhs, step_s, range_s));
  }
  switch (de->op) {
    case TokenKind::kStep:
      return step_s;
    case TokenKind::kRange:
      return range_s;
    case TokenKind::kMin:
      return GoMinMax(lhs, rhs, /*max=*/false);
    case TokenKind::kMax:
      return GoMinMax(lhs, rhs, /*max=*/true);
    case TokenKind::kAdd:
      return lhs + rhs;  // a unary + has lhs 0
    case TokenKind::kSub:
      return de->lhs ? lhs - rhs : -rhs;
    case TokenKind::kMul:
      return lhs * rhs;
    case TokenKind::kDiv:
      if (rhs == 0) return PositionedError(*de, "division by zero");
      return lhs / rhs;
    case TokenKind::kMod:
      if (rhs == 0) return PositionedError(*de, "modulo by zero");
      return std::fmod(lhs, rhs);
    case TokenKind::kPow:
      return std::pow(lhs, rhs);
    default:
      return absl::InvalidArgumentError(
          fmt::format("unexpected duration expression operator {}", OperatorString(de->op)));
  }
}

absl::Status ResolveDurationExpressions(Expr* root, int64_t start_ms, int64_t end_ms,
                                        int64_t step_ms) {
  // time.Duration.Seconds() of the step and of end - start.
  Resolver r(static_cast<double>(step_ms) / 1000.0,
             static_cast<double>(end_ms - start_ms) / 1000.0);
  return r.Visit(root);
}

}  // namespace strata::promql
