// The PromQL abstract syntax tree.
//
// Design. Every node is an `Expr` subclass tagged with a `NodeKind`; code
// that walks the tree switches on kind() and calls one function per kind
// (the evaluator and the type checker are written that way), downcasting with
// `As<T>()`. A class hierarchy rather than a std::variant, because the tree is
// recursive (children are owned through std::unique_ptr<Expr>) and new node
// kinds then only add a class and an enumerator. NodeKind already lists every
// kind of Prometheus's AST (promql/parser/ast.go) so switches written now
// stay exhaustive as the grammar grows; only the kinds with a class below
// are produced by the parser today.
//
// Positions are byte offsets into the query text, [start, end), as in
// Prometheus; errors print them as line:column.
//
// Ownership: a parent owns its children. Nodes are immutable after parsing by
// convention (the evaluator reads them from many threads); copy with Clone().
#ifndef STRATA_PROMQL_AST_H_
#define STRATA_PROMQL_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "promql/lexer.h"
#include "tsdb/labels/matcher.h"

namespace strata::promql {

struct PositionRange {
  Pos start = 0;
  Pos end = 0;

  friend bool operator==(const PositionRange&, const PositionRange&) = default;
};

// The type an expression evaluates to (Prometheus's parser.ValueType).
enum class ValueType : uint8_t { kNone, kScalar, kString, kVector, kMatrix };

// Prometheus's name for the type in error messages ("instant vector",
// "range vector", "scalar", "string").
std::string_view DocumentedType(ValueType t);

enum class NodeKind : uint8_t {
  kVectorSelector,  // foo{a="b"} offset 5m @ 100
  kMatrixSelector,  // foo[5m]
  // Not produced yet; reserved for the full grammar.
  kNumberLiteral,
  kStringLiteral,
  kParenExpr,
  kUnaryExpr,
  kBinaryExpr,
  kAggregateExpr,
  kCall,
  kSubqueryExpr,
  kStepInvariantExpr,  // inserted by the engine around @-fixed subtrees
  // Experimental: `5m + 1m`, `step()` inside brackets and offsets. Never a
  // child in the tree: held by the *_expr fields of selectors and
  // subqueries (promql/duration_expr.h).
  kDurationExpr,
};

class DurationExpr;  // promql/duration_expr.h

class Expr {
 public:
  virtual ~Expr() = default;

  NodeKind kind() const { return kind_; }
  virtual ValueType type() const = 0;
  virtual PositionRange position_range() const = 0;
  // The expression as Prometheus prints it (printer.go), e.g.
  // `foo{a="b"}[5m] @ 100.000 offset 1m`.
  virtual std::string ToString() const = 0;
  virtual std::unique_ptr<Expr> Clone() const = 0;

  // Downcasts; REQUIRES: kind() == T::kKind.
  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    return static_cast<T&>(*this);
  }
  // nullptr unless kind() == T::kKind.
  template <typename T>
  const T* DynCast() const {
    return kind_ == T::kKind ? static_cast<const T*>(this) : nullptr;
  }
  template <typename T>
  T* DynCast() {
    return kind_ == T::kKind ? static_cast<T*>(this) : nullptr;
  }

 protected:
  explicit Expr(NodeKind kind) : kind_(kind) {}
  Expr(const Expr&) = default;
  Expr& operator=(const Expr&) = default;

 private:
  NodeKind kind_;
};

// `@ start()` / `@ end()`: the timestamp is the query's start or end.
enum class AtModifier : uint8_t { kNone, kStart, kEnd };

// An instant vector selector.
class VectorSelector final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kVectorSelector;

  VectorSelector() : Expr(kKind) {}

  ValueType type() const override { return ValueType::kVector; }
  PositionRange position_range() const override { return pos; }
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  // The metric name written before the braces ("" for `{__name__="x"}` and
  // for `{"x"}`).
  std::string name;
  // Every matcher the series must satisfy. When `name` is set, matchers[0]
  // is __name__="<name>" (Prometheus appends it last; the order carries no
  // meaning), followed by the matchers inside the braces in written order.
  std::vector<Matcher> matchers;
  // The offset as written (`offset -5m` is negative); zero when absent.
  absl::Duration original_offset = absl::ZeroDuration();
  // A duration expression for the offset (`offset (1h / 2)`, `offset
  // step()`); original_offset then holds its value once resolved
  // (promql/duration_expr.h). Shared by clones: it is immutable.
  std::shared_ptr<const DurationExpr> original_offset_expr;
  // `@ <timestamp>` in milliseconds since the epoch (rounded as Prometheus:
  // round(seconds * 1000)).
  std::optional<int64_t> timestamp;
  AtModifier start_or_end = AtModifier::kNone;
  // Set on the label selector of info(v, {…}), which may match every series.
  bool bypass_empty_matcher_check = false;
  // From the metric name (or '{') to the end of the last modifier.
  PositionRange pos;
};

// A range vector selector: `<vector selector>[<range>]`.
class MatrixSelector final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kMatrixSelector;

  MatrixSelector() : Expr(kKind) {}

  ValueType type() const override { return ValueType::kMatrix; }
  PositionRange position_range() const override {
    return {vector_selector ? vector_selector->pos.start : 0, end_pos};
  }
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  // Holds the name, matchers, offset and @ of the selector (the modifiers
  // may be written before or after the range: `foo[5m] offset 1m`).
  std::unique_ptr<VectorSelector> vector_selector;
  // Positive; nanosecond precision, as Prometheus's time.Duration.
  absl::Duration range = absl::ZeroDuration();
  // `[5m + 1m]`, `[step()]`: range holds its value once resolved.
  std::shared_ptr<const DurationExpr> range_expr;
  Pos end_pos = 0;  // end of ']' or of the last modifier
};

class Function;  // promql/functions.h

// A number literal: 1, 0x1f, 1e3, Inf, NaN, or (Prometheus 3) a duration
// used as a number of seconds, `5m`. A leading unary +/- is folded in.
class NumberLiteral final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kNumberLiteral;
  NumberLiteral() : Expr(kKind) {}
  ValueType type() const override { return ValueType::kScalar; }
  PositionRange position_range() const override { return pos; }
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  double val = 0;
  bool duration = false;  // written as a duration; prints as one
  PositionRange pos;
};

class StringLiteral final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kStringLiteral;
  StringLiteral() : Expr(kKind) {}
  ValueType type() const override { return ValueType::kString; }
  PositionRange position_range() const override { return pos; }
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  std::string val;  // unquoted
  PositionRange pos;
};

class ParenExpr final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kParenExpr;
  ParenExpr() : Expr(kKind) {}
  ValueType type() const override { return expr->type(); }
  PositionRange position_range() const override { return pos; }
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  std::unique_ptr<Expr> expr;
  PositionRange pos;  // '(' to ')'
};

class UnaryExpr final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kUnaryExpr;
  UnaryExpr() : Expr(kKind) {}
  ValueType type() const override { return expr->type(); }
  PositionRange position_range() const override { return {start, expr->position_range().end}; }
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  TokenKind op = TokenKind::kSub;  // kAdd or kSub
  std::unique_ptr<Expr> expr;
  Pos start = 0;
};

// Prometheus's VectorMatchCardinality.
enum class Cardinality : uint8_t { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  // on(...) labels when `on`, else ignoring(...) labels.
  std::vector<std::string> matching_labels;
  bool on = false;
  // group_left(...)/group_right(...) labels to copy from the "one" side.
  std::vector<std::string> include;
};

class BinaryExpr final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kBinaryExpr;
  BinaryExpr() : Expr(kKind) {}
  // Scalar only between scalars; otherwise an instant vector.
  ValueType type() const override;
  PositionRange position_range() const override {
    return {lhs->position_range().start, rhs->position_range().end};
  }
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  TokenKind op = TokenKind::kAdd;
  std::unique_ptr<Expr> lhs, rhs;
  // Set only between two instant vectors (nullptr otherwise, as Prometheus
  // after type checking). Set operators get kManyToMany.
  std::optional<VectorMatching> matching;
  bool return_bool = false;
};

class AggregateExpr final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kAggregateExpr;
  AggregateExpr() : Expr(kKind) {}
  ValueType type() const override { return ValueType::kVector; }
  PositionRange position_range() const override { return pos; }
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  TokenKind op = TokenKind::kSum;
  std::unique_ptr<Expr> expr;
  std::unique_ptr<Expr> param;  // topk, bottomk, quantile, count_values, limitk, limit_ratio
  std::vector<std::string> grouping;
  bool without = false;
  PositionRange pos;
};

class Call final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kCall;
  Call() : Expr(kKind) {}
  ValueType type() const override;
  PositionRange position_range() const override { return pos; }
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  const Function* func = nullptr;  // never null after parsing; static storage
  std::vector<std::unique_ptr<Expr>> args;
  PositionRange pos;
};

// `expr[range:step] @ t offset d`.
class SubqueryExpr final : public Expr {
 public:
  static constexpr NodeKind kKind = NodeKind::kSubqueryExpr;
  SubqueryExpr() : Expr(kKind) {}
  ValueType type() const override { return ValueType::kMatrix; }
  PositionRange position_range() const override { return {expr->position_range().start, end_pos}; }
  std::string ToString() const override;
  std::unique_ptr<Expr> Clone() const override;

  std::unique_ptr<Expr> expr;
  absl::Duration range = absl::ZeroDuration();
  absl::Duration step = absl::ZeroDuration();  // zero: the default evaluation interval
  absl::Duration original_offset = absl::ZeroDuration();
  // Duration expressions for the range, the step and the offset; the plain
  // fields hold their values once resolved (promql/duration_expr.h).
  std::shared_ptr<const DurationExpr> range_expr, step_expr, original_offset_expr;
  std::optional<int64_t> timestamp;
  AtModifier start_or_end = AtModifier::kNone;
  Pos end_pos = 0;
};

// The operator as Prometheus prints it: "+", "==", "and", "atan2", "sum".
std::string_view OperatorString(TokenKind k);

// Formats a duration as Prometheus's model.Duration does: "1h30m", "5m",
// "1y", "2w", "90d", "1s500ms", "0s" (millisecond resolution, truncated).
std::string DurationToString(absl::Duration d);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_AST_H_
