// Internal to the PromQL parser: the Parser class shared by parser*.cc.
// Not part of the public API; include promql/parser.h instead.
#ifndef STRATA_PROMQL_PARSER_INTERNAL_H_
#define STRATA_PROMQL_PARSER_INTERNAL_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "promql/ast.h"
#include "promql/lexer.h"
#include "tsdb/labels/matcher.h"

namespace strata::promql::parser_internal {

inline constexpr std::string_view kMetricNameLabel = "__name__";
// What may follow `offset` and `[` (Prometheus's wording).
inline constexpr std::string_view kDurationExpected = "number, duration, step(), or range()";

// Durations are float seconds in the grammar; Prometheus rejects those whose
// nanoseconds do not fit an int64 (> 2^63 / 1e9 seconds).
inline constexpr double kMaxDurationSeconds = 9223372036854775808.0 / 1e9;

// How deeply expressions may nest (parentheses, operands, arguments,
// subqueries, and the length of a chain of binary operators, which nests
// the tree as deeply). Prometheus has no limit; this one keeps recursion in
// the parser, the checker, the printer and the evaluator off the end of the
// stack.
inline constexpr int kMaxNestingDepth = 1000;

// Debian's Abseil has its own string_view; messages are copied out as std::string.
inline std::string Message(const absl::Status& s) { return std::string(s.message()); }

bool IsMetricIdentifier(TokenKind k);
// Binary operator precedence, lowest first (or=1 … ^=6); 0 for tokens that
// are not binary operators. ^ is right-associative.
int BinaryPrecedence(TokenKind k);
absl::Duration SecondsToDuration(double seconds);

// Where a duration expression is parsed, for the message of an unexpected
// token inside it: "unexpected <token> in <context>, expected <expected>".
struct DurationContext {
  std::string_view context;
  std::string_view expected;
};

// A recursive-descent parser with one token of lookahead, lexed lazily so
// that errors come out in the order Prometheus's LALR parser reports them
// (a semantic error in a matcher before a lexer error after it).
//
// Expression grammar (precedence climbing for the binary operators, lowest
// first: or; and unless; comparisons; + -; * / % atan2; ^ right-assoc.):
//   expr      := unary (binop modifiers unary)*
//   unary     := ('+' | '-') expr-above-^ | postfix
//   postfix   := primary ('[' range (':' step?)? ']' | offset … | '@' …)*
//   primary   := selector | number | string | '(' expr ')' | call | aggregation
// Syntax errors stop parsing at once; the type checks (Prometheus's
// checkAST) run over the finished tree, in Prometheus's order.
class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), lexer_(input) {}

  absl::StatusOr<std::vector<Matcher>> MetricSelector();
  absl::StatusOr<std::unique_ptr<Expr>> Expression();

 private:
  using ExprPtr = std::unique_ptr<Expr>;

  // The lookahead token, skipping comments; a lexer error becomes the
  // parse error.
  absl::StatusOr<const Token*> Peek();
  // Takes the lookahead. REQUIRES: Peek() returned a token.
  Token Consume();
  // Adds `n` to the nesting depth; an error past kMaxNestingDepth.
  absl::Status Nest(Pos pos, int n = 1);

  // parser_expr.cc
  absl::StatusOr<ExprPtr> ParseBinary(int min_precedence);
  absl::Status ParseBinaryModifiers(BinaryExpr* be);
  absl::StatusOr<ExprPtr> ParseUnary();
  absl::StatusOr<ExprPtr> ParsePrimary();
  absl::StatusOr<ExprPtr> ParseNumberLiteral();
  absl::StatusOr<ExprPtr> ParseStringLiteral();
  absl::StatusOr<ExprPtr> ParseParen();
  // Duration expressions (Prometheus's duration_expr): a NumberLiteral when
  // the expression is a literal, possibly signed or parenthesised, else a
  // DurationExpr. Operators + - * / % ^ with the usual precedence, unary
  // +/- binding like '*', parentheses, step(), range(), min_of(a, b),
  // max_of(a, b).
  absl::StatusOr<ExprPtr> ParseDurationExpr(const DurationContext& ctx, int min_precedence);
  absl::StatusOr<ExprPtr> ParseDurationTail(ExprPtr lhs, const DurationContext& ctx,
                                            int min_precedence);
  absl::StatusOr<ExprPtr> ParseDurationUnary(const DurationContext& ctx);
  absl::StatusOr<ExprPtr> ParseDurationPrimary(const DurationContext& ctx);
  absl::StatusOr<ExprPtr> ParseDurationFunction(const DurationContext& ctx);
  absl::StatusOr<ExprPtr> ParseDurationLiteral();
  // Applies a unary sign: folded into a literal, kept as a DurationExpr for
  // '-', dropped for '+' (Prometheus's duration_expr: unary_op duration_expr).
  absl::StatusOr<ExprPtr> ApplyDurationSign(const Token& sign, ExprPtr operand);
  // What follows `offset` (Prometheus's offset_duration_expr): a [sign]
  // literal, [sign] step()/range()/min_of()/max_of(), or a [sign]
  // parenthesised expression, which ends the offset (`foo offset 1m + 1m` is
  // `(foo offset 1m) + 1m`); only an unsigned parenthesised expression goes
  // on with binary operators, as Prometheus's parser shifts there.
  absl::StatusOr<ExprPtr> ParseOffsetDuration();
  // parser_agg.cc
  absl::StatusOr<ExprPtr> ParseAggregate(const Token& op);
  absl::StatusOr<ExprPtr> ParseCall(const Token& name);
  // `( a, b, … )`: the arguments of a call or an aggregation; *end is the
  // end of ')'.
  absl::StatusOr<std::vector<ExprPtr>> ParseArgs(Pos* end);
  // `( label, … )` after by/without/on/ignoring/group_*; *end is the end of ')'.
  absl::StatusOr<std::vector<std::string>> ParseGroupingLabels(Pos* end);
  // parser.cc
  absl::StatusOr<ExprPtr> ParsePostfix(ExprPtr e);
  // A selector after its optional metric name (already consumed).
  absl::StatusOr<std::unique_ptr<VectorSelector>> ParseSelector(const Token* name);
  absl::Status ParseLabelMatchers(VectorSelector* vs);
  absl::Status ParseLabelMatcher(VectorSelector* vs);
  // `[range]` or a subquery `[range:step]` / `[range:]`.
  absl::StatusOr<ExprPtr> ParseRange(ExprPtr e);
  absl::Status ParseOffset(Expr* e);
  absl::Status ParseAt(Expr* e);
  // A [sign] number-or-duration literal in seconds; `context`/`expected`
  // describe the error for anything else. Sets *range to its position.
  absl::StatusOr<double> ParseSignedLiteral(std::string_view context, std::string_view expected,
                                            PositionRange* range, PositionRange* sign_range);
  // "duration must be greater than 0" for a literal range or step that is
  // not positive (expressions are checked when resolved).
  absl::Status CheckPositiveDuration(const Expr& e) const;
  absl::StatusOr<double> LiteralValue(const Token& t);
  absl::StatusOr<std::string> UnquoteToken(const Token& t);
  absl::Status SetTimestamp(Expr* e, double seconds);
  // parser_check.cc: Prometheus's checkAST; returns the first error. May
  // normalise the tree as Prometheus does (vector matching of set
  // operators and of operations involving scalars).
  absl::Status Check(Expr& e);
  absl::Status CheckBinary(BinaryExpr& be);
  absl::Status CheckCall(Call& c);
  absl::Status ExpectType(Expr& e, ValueType want, std::string_view context);

  absl::Status Error(PositionRange r, std::string_view message) const;
  absl::Status Unexpected(const Token& t, std::string_view context,
                          std::string_view expected) const;

  std::string_view input_;
  Lexer lexer_;
  std::optional<Token> lookahead_;
  Pos last_end_ = 0;  // end of the last token consumed (Prometheus's lastClosing)
  int depth_ = 0;
};

}  // namespace strata::promql::parser_internal

#endif  // STRATA_PROMQL_PARSER_INTERNAL_H_
