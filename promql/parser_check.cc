// Type checking of a parsed expression: Prometheus's checkAST
// (promql/parser/parse.go), visiting nodes and reporting in its order.
#include <string>

#include "fmt/format.h"
#include "promql/functions.h"
#include "promql/parser.h"
#include "promql/parser_internal.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/labels/labels.h"

namespace strata::promql::parser_internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsScalarOrVector(ValueType t) { return t == ValueType::kScalar || t == ValueType::kVector; }

// ValueType as Prometheus's %s prints it ("vector", "matrix", …), not the
// documented names.
std::string_view RawTypeName(ValueType t) {
  switch (t) {
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kString:
      return "string";
    case ValueType::kVector:
      return "vector";
    case ValueType::kMatrix:
      return "matrix";
    case ValueType::kNone:
      break;
  }
  return "none";
}

}  // namespace

absl::Status Parser::ExpectType(Expr& e, ValueType want, std::string_view context) {
  RETURN_IF_ERROR(Check(e));
  const ValueType got = e.type();
  if (got != want) {
    return Error(e.position_range(),
                 fmt::format("expected type {} in {}, got {}", DocumentedType(want), context,
                             DocumentedType(got)));
  }
  return absl::OkStatus();
}

absl::Status Parser::CheckBinary(BinaryExpr& n) {
  RETURN_IF_ERROR(Check(*n.lhs));
  RETURN_IF_ERROR(Check(*n.rhs));
  const ValueType lt = n.lhs->type();
  const ValueType rt = n.rhs->type();
  // The operator and its modifiers, without surrounding white space.
  auto op_range = [&] {
    PositionRange r;
    const Pos limit = static_cast<Pos>(input_.size());
    for (r.start = n.lhs->position_range().end; r.start < limit && IsSpace(input_[r.start]);
         ++r.start) {
    }
    for (r.end = n.rhs->position_range().start - 1; r.end > 0 && IsSpace(input_[r.end]); --r.end) {
    }
    return r;
  };
  if (n.return_bool && !IsComparisonOperator(n.op)) {
    return Error(op_range(), "bool modifier can only be used on comparison operators");
  }
  if (IsComparisonOperator(n.op) && !n.return_bool && lt == ValueType::kScalar &&
      rt == ValueType::kScalar) {
    return Error(op_range(), "comparisons between scalars must use BOOL modifier");
  }
  VectorMatching& vm = *n.matching;
  if (IsSetOperator(n.op) && vm.card == Cardinality::kOneToOne) vm.card = Cardinality::kManyToMany;
  if (vm.on) {
    for (const std::string& l1 : vm.matching_labels) {
      for (const std::string& l2 : vm.include) {
        if (l1 == l2) {
          return Error(
              op_range(),
              fmt::format("label {} must not occur in ON and GROUP clause at once", GoQuote(l1)));
        }
      }
    }
  }
  if (!IsScalarOrVector(lt)) {
    return Error(n.lhs->position_range(),
                 "binary expression must contain only scalar and instant vector types");
  }
  if (!IsScalarOrVector(rt)) {
    return Error(n.rhs->position_range(),
                 "binary expression must contain only scalar and instant vector types");
  }
  if (lt != ValueType::kVector || rt != ValueType::kVector) {
    if (!vm.matching_labels.empty()) {
      return Error(n.position_range(), "vector matching only allowed between instant vectors");
    }
    n.matching.reset();
  } else if (IsSetOperator(n.op)) {
    if (vm.card == Cardinality::kOneToMany || vm.card == Cardinality::kManyToOne) {
      return Error(n.position_range(),
                   fmt::format("no grouping allowed for \"{}\" operation", OperatorString(n.op)));
    }
    if (vm.card != Cardinality::kManyToMany) {
      return Error(n.position_range(), "set operations must always be many-to-many");
    }
  }
  if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOperator(n.op)) {
    return Error(n.position_range(),
                 fmt::format("set operator \"{}\" not allowed in binary scalar expression",
                             OperatorString(n.op)));
  }
  return absl::OkStatus();
}

absl::Status Parser::CheckCall(Call& n) {
  const Function& f = *n.func;
  const int nargs = static_cast<int>(f.arg_types.size());
  const int got = static_cast<int>(n.args.size());
  if (f.variadic == 0) {
    if (nargs != got) {
      return Error(n.pos, fmt::format("expected {} argument(s) in call to \"{}\", got {}", nargs,
                                      f.name, got));
    }
  } else {
    const int na = nargs - 1;
    if (na > got) {
      return Error(n.pos, fmt::format("expected at least {} argument(s) in call to \"{}\", got {}",
                                      na, f.name, got));
    }
    if (const int max = na + f.variadic; f.variadic > 0 && max < got) {
      return Error(n.pos, fmt::format("expected at most {} argument(s) in call to \"{}\", got {}",
                                      max, f.name, got));
    }
  }
  const std::string context = fmt::format("call to function \"{}\"", f.name);
  if (f.name == "info" && got > 1) {
    Expr& labels = *n.args[1];
    if (labels.type() != ValueType::kVector) {
      return Error(n.pos,
                   fmt::format("expected type {} in {}, got {}", DocumentedType(ValueType::kVector),
                               context, DocumentedType(labels.type())));
    }
    auto* vs = labels.DynCast<VectorSelector>();
    if (vs == nullptr) return Error(labels.position_range(), "expected label selectors only");
    if (!vs->name.empty()) {
      return Error(labels.position_range(),
                   "expected label selectors only, got vector selector instead");
    }
    vs->bypass_empty_matcher_check = true;
  }
  for (int i = 0; i < got; ++i) {
    int t = i;
    if (t >= nargs) {
      if (f.variadic == 0) break;
      t = nargs - 1;
    }
    RETURN_IF_ERROR(ExpectType(*n.args[i], f.arg_types[t], context));
  }
  return absl::OkStatus();
}

absl::Status Parser::Check(Expr& e) {
  switch (e.kind()) {
    case NodeKind::kBinaryExpr:
      return CheckBinary(e.As<BinaryExpr>());
    case NodeKind::kCall:
      return CheckCall(e.As<Call>());
    case NodeKind::kAggregateExpr: {
      auto& n = e.As<AggregateExpr>();
      RETURN_IF_ERROR(ExpectType(*n.expr, ValueType::kVector, "aggregation expression"));
      if (n.op == TokenKind::kCountValues) {
        return ExpectType(*n.param, ValueType::kString, "aggregation parameter");
      }
      if (n.param) return ExpectType(*n.param, ValueType::kScalar, "aggregation parameter");
      return absl::OkStatus();
    }
    case NodeKind::kParenExpr:
      return Check(*e.As<ParenExpr>().expr);
    case NodeKind::kUnaryExpr: {
      auto& n = e.As<UnaryExpr>();
      RETURN_IF_ERROR(Check(*n.expr));
      if (const ValueType t = n.expr->type(); !IsScalarOrVector(t)) {
        return Error(n.position_range(),
                     fmt::format("unary expression only allowed on expressions of type scalar or "
                                 "instant vector, got {}",
                                 GoQuote(DocumentedType(t))));
      }
      return absl::OkStatus();
    }
    case NodeKind::kSubqueryExpr: {
      auto& n = e.As<SubqueryExpr>();
      RETURN_IF_ERROR(Check(*n.expr));
      if (const ValueType t = n.expr->type(); t != ValueType::kVector) {
        return Error(n.position_range(),
                     fmt::format("subquery is only allowed on instant vector, got {} instead",
                                 RawTypeName(t)));
      }
      return absl::OkStatus();
    }
    case NodeKind::kMatrixSelector:
      return Check(*e.As<MatrixSelector>().vector_selector);
    case NodeKind::kVectorSelector: {
      const auto& vs = e.As<VectorSelector>();
      if (!vs.name.empty()) {
        // matchers[0] is the name itself; another __name__ matcher repeats it.
        for (size_t i = 1; i < vs.matchers.size(); ++i) {
          const Matcher& m = vs.matchers[i];
          if (m.name() == kMetricNameLabel) {
            return Error(vs.pos, fmt::format("metric name must not be set twice: {} or {}",
                                             GoQuote(vs.name), GoQuote(m.value())));
          }
        }
        return absl::OkStatus();  // the name is a non-empty matcher
      }
      // Refuse selectors that would select every series (e.g. through a typo).
      if (!vs.bypass_empty_matcher_check && !HasNonEmptyMatcher(vs.matchers)) {
        return Error(vs.pos, "vector selector must contain at least one non-empty matcher");
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

}  // namespace strata::promql::parser_internal
