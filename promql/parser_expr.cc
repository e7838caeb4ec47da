// The expression grammar: binary operators, unary operators, literals,
// parentheses, and the dispatch to selectors, calls and aggregations.
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "fmt/format.h"
#include "promql/duration_expr.h"
#include "promql/parser_internal.h"
#include "tsdb/base/status_macros.h"

namespace strata::promql::parser_internal {
namespace {

constexpr int kPowPrecedence = 6;

// Restores the nesting depth when a parse function returns: what its
// subtree added no longer counts for its siblings.
class DepthScope {
 public:
  explicit DepthScope(int& depth) : depth_(depth), saved_(depth) {}
  ~DepthScope() { depth_ = saved_; }
  DepthScope(const DepthScope&) = delete;
  DepthScope& operator=(const DepthScope&) = delete;

 private:
  int& depth_;
  int saved_;
};

// Precedence of the operators of duration expressions (those of
// BinaryPrecedence that apply to durations); 0 for anything else.
int DurationPrecedence(TokenKind k) {
  switch (k) {
    case TokenKind::kAdd:
    case TokenKind::kSub:
      return 4;
    case TokenKind::kMul:
    case TokenKind::kDiv:
    case TokenKind::kMod:
      return 5;
    case TokenKind::kPow:
      return kPowPrecedence;
    default:
      return 0;
  }
}

// min_of / max_of as written (Prometheus's keywords are case-insensitive);
// kMin / kMax, or kEof for another token.
TokenKind MinMaxOf(const Token& t) {
  if (t.kind != TokenKind::kIdentifier) return TokenKind::kEof;
  const std::string word = absl::AsciiStrToLower(std::string(t.text));
  if (word == "min_of") return TokenKind::kMin;
  if (word == "max_of") return TokenKind::kMax;
  return TokenKind::kEof;
}

std::unique_ptr<DurationExpr> NewDurationExpr(TokenKind op, Pos start, Pos end) {
  auto de = std::make_unique<DurationExpr>();
  de->op = op;
  de->start = start;
  de->end = end;
  return de;
}

}  // namespace

int BinaryPrecedence(TokenKind k) {
  switch (k) {
    case TokenKind::kLor:
      return 1;
    case TokenKind::kLand:
    case TokenKind::kLunless:
      return 2;
    case TokenKind::kEqlc:
    case TokenKind::kNeq:
    case TokenKind::kLte:
    case TokenKind::kLss:
    case TokenKind::kGte:
    case TokenKind::kGtr:
      return 3;
    case TokenKind::kAdd:
    case TokenKind::kSub:
      return 4;
    case TokenKind::kMul:
    case TokenKind::kDiv:
    case TokenKind::kMod:
    case TokenKind::kAtan2:
      return 5;
    case TokenKind::kPow:
      return kPowPrecedence;
    default:
      return 0;
  }
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseBinary(int min_precedence) {
  DepthScope scope(depth_);
  {
    ASSIGN_OR_RETURN(const Token* first, Peek());
    RETURN_IF_ERROR(Nest(first->pos));
  }
  ASSIGN_OR_RETURN(ExprPtr lhs, ParseUnary());
  for (;;) {
    ASSIGN_OR_RETURN(const Token* t, Peek());
    const int precedence = BinaryPrecedence(t->kind);
    if (precedence == 0 || precedence < min_precedence) return lhs;
    const Token op = Consume();
    // Each operator nests the tree one level deeper.
    RETURN_IF_ERROR(Nest(op.pos));
    auto be = std::make_unique<BinaryExpr>();
    be->op = op.kind;
    RETURN_IF_ERROR(ParseBinaryModifiers(be.get()));
    {
      ASSIGN_OR_RETURN(const Token* next, Peek());
      if (next->kind == TokenKind::kFill || next->kind == TokenKind::kFillLeft ||
          next->kind == TokenKind::kFillRight) {
        // Prometheus's default (--enable-feature=promql-binop-fill-modifiers off).
        return Error({lhs->position_range().start, next->end()},
                     "binop fill modifiers are experimental and not enabled");
      }
    }
    const int next_min = op.kind == TokenKind::kPow ? precedence : precedence + 1;
    ASSIGN_OR_RETURN(be->rhs, ParseBinary(next_min));
    be->lhs = std::move(lhs);
    lhs = std::move(be);
  }
}

// [bool] [(on|ignoring) (labels) [(group_left|group_right) [(labels)]]]
absl::Status Parser::ParseBinaryModifiers(BinaryExpr* be) {
  be->matching.emplace();  // as Prometheus: one-to-one until checked
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind == TokenKind::kBool) {
    Consume();
    be->return_bool = true;
    ASSIGN_OR_RETURN(t, Peek());
  }
  if (t->kind != TokenKind::kOn && t->kind != TokenKind::kIgnoring) return absl::OkStatus();
  be->matching->on = Consume().kind == TokenKind::kOn;
  Pos end;
  ASSIGN_OR_RETURN(be->matching->matching_labels, ParseGroupingLabels(&end));
  ASSIGN_OR_RETURN(t, Peek());
  if (t->kind != TokenKind::kGroupLeft && t->kind != TokenKind::kGroupRight) {
    return absl::OkStatus();
  }
  be->matching->card =
      Consume().kind == TokenKind::kGroupLeft ? Cardinality::kManyToOne : Cardinality::kOneToMany;
  ASSIGN_OR_RETURN(t, Peek());
  if (t->kind == TokenKind::kLeftParen) {
    ASSIGN_OR_RETURN(be->matching->include, ParseGroupingLabels(&end));
  }
  return absl::OkStatus();
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseUnary() {
  DepthScope scope(depth_);
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind != TokenKind::kAdd && t->kind != TokenKind::kSub) {
    ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
    return ParsePostfix(std::move(e));
  }
  // Prometheus gives unary operators the precedence of '*': the operand
  // extends over '^' but not over '*'.
  const Token op = Consume();
  ASSIGN_OR_RETURN(ExprPtr operand, ParseBinary(kPowPrecedence));
  if (auto* nl = operand->DynCast<NumberLiteral>()) {
    if (op.kind == TokenKind::kSub) nl->val = -nl->val;
    nl->pos.start = op.pos;
    return operand;
  }
  auto ue = std::make_unique<UnaryExpr>();
  ue->op = op.kind;
  ue->start = op.pos;
  ue->expr = std::move(operand);
  return ue;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParsePrimary() {
  ASSIGN_OR_RETURN(const Token* t, Peek());
  const TokenKind kind = t->kind;
  if (kind == TokenKind::kLeftBrace) return ParseSelector(nullptr);
  if (IsMetricIdentifier(kind)) {
    // An identifier followed by '(' is a function call; an aggregation
    // keyword followed by '(', by or without is an aggregation. Otherwise
    // the word is a metric name (`sum`, `by` and `offset` are valid ones).
    const Token name = Consume();
    ASSIGN_OR_RETURN(const Token* next, Peek());
    // step(), range(), start() and end() are calls too (Prometheus 3.14's
    // query-context functions); their keywords name metrics otherwise.
    const bool call_keyword = kind == TokenKind::kStep || kind == TokenKind::kRange ||
                              kind == TokenKind::kStart || kind == TokenKind::kEnd;
    if ((kind == TokenKind::kIdentifier || call_keyword) && next->kind == TokenKind::kLeftParen) {
      return ParseCall(name);
    }
    if (IsAggregator(kind) && (next->kind == TokenKind::kLeftParen ||
                               next->kind == TokenKind::kBy || next->kind == TokenKind::kWithout)) {
      return ParseAggregate(name);
    }
    return ParseSelector(&name);
  }
  switch (kind) {
    case TokenKind::kNumber:
    case TokenKind::kDuration:
      return ParseNumberLiteral();
    case TokenKind::kString:
      return ParseStringLiteral();
    case TokenKind::kLeftParen:
      return ParseParen();
    default:
      return Unexpected(*t, "", "");
  }
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseNumberLiteral() {
  const Token t = Consume();
  auto nl = std::make_unique<NumberLiteral>();
  ASSIGN_OR_RETURN(nl->val, LiteralValue(t));
  nl->duration = t.kind == TokenKind::kDuration;
  nl->pos = {t.pos, t.end()};
  return nl;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseStringLiteral() {
  const Token t = Consume();
  auto sl = std::make_unique<StringLiteral>();
  ASSIGN_OR_RETURN(sl->val, UnquoteToken(t));
  sl->pos = {t.pos, t.end()};
  return sl;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseParen() {
  const Token open = Consume();
  auto pe = std::make_unique<ParenExpr>();
  ASSIGN_OR_RETURN(pe->expr, ParseBinary(1));
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind != TokenKind::kRightParen) return Unexpected(*t, "", "");
  pe->pos = {open.pos, Consume().end()};
  return pe;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseDurationExpr(const DurationContext& ctx,
                                                          int min_precedence) {
  DepthScope scope(depth_);
  {
    ASSIGN_OR_RETURN(const Token* first, Peek());
    RETURN_IF_ERROR(Nest(first->pos));
  }
  ASSIGN_OR_RETURN(ExprPtr lhs, ParseDurationUnary(ctx));
  return ParseDurationTail(std::move(lhs), ctx, min_precedence);
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseDurationTail(ExprPtr lhs, const DurationContext& ctx,
                                                          int min_precedence) {
  DepthScope scope(depth_);
  for (;;) {
    ASSIGN_OR_RETURN(const Token* t, Peek());
    const int precedence = DurationPrecedence(t->kind);
    if (precedence == 0 || precedence < min_precedence) return lhs;
    const Token op = Consume();
    RETURN_IF_ERROR(Nest(op.pos));
    const int next_min = op.kind == TokenKind::kPow ? precedence : precedence + 1;
    ASSIGN_OR_RETURN(ExprPtr rhs, ParseDurationExpr(ctx, next_min));
    // Prometheus refuses a literal zero divisor when parsing; a computed
    // one fails when the expression is evaluated.
    const auto* divisor = rhs->DynCast<NumberLiteral>();
    if (divisor != nullptr && divisor->val == 0 &&
        (op.kind == TokenKind::kDiv || op.kind == TokenKind::kMod)) {
      return Error({op.pos, op.end()},
                   op.kind == TokenKind::kDiv ? "division by zero" : "modulo by zero");
    }
    auto de = NewDurationExpr(op.kind, op.pos, op.end());
    de->lhs = std::move(lhs);
    de->rhs = std::move(rhs);
    lhs = std::move(de);
  }
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseDurationUnary(const DurationContext& ctx) {
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind != TokenKind::kAdd && t->kind != TokenKind::kSub) return ParseDurationPrimary(ctx);
  const Token sign = Consume();
  // Like unary operators elsewhere, the operand extends over '^' only.
  ASSIGN_OR_RETURN(ExprPtr operand, ParseDurationExpr(ctx, kPowPrecedence));
  return ApplyDurationSign(sign, std::move(operand));
}

absl::StatusOr<Parser::ExprPtr> Parser::ApplyDurationSign(const Token& sign, ExprPtr operand) {
  if (auto* nl = operand->DynCast<NumberLiteral>()) {
    if (sign.kind == TokenKind::kSub) nl->val = -nl->val;
    if (std::abs(nl->val) > kMaxDurationSeconds) {
      return Error({sign.pos, sign.end()}, "duration out of range");
    }
    nl->pos.start = sign.pos;
    return operand;
  }
  if (sign.kind == TokenKind::kAdd) return operand;
  auto de = NewDurationExpr(TokenKind::kSub, sign.pos, sign.end());
  de->rhs = std::move(operand);
  return de;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseDurationLiteral() {
  ASSIGN_OR_RETURN(ExprPtr e, ParseNumberLiteral());
  const auto& nl = e->As<NumberLiteral>();
  // NaN passes, as in Prometheus (it cannot be written inside brackets).
  if (std::abs(nl.val) > kMaxDurationSeconds) return Error(nl.pos, "duration out of range");
  return e;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseDurationPrimary(const DurationContext& ctx) {
  ASSIGN_OR_RETURN(const Token* t, Peek());
  switch (t->kind) {
    case TokenKind::kNumber:
    case TokenKind::kDuration:
      return ParseDurationLiteral();
    case TokenKind::kStep:
    case TokenKind::kRange:
    case TokenKind::kIdentifier:
      return ParseDurationFunction(ctx);
    case TokenKind::kLeftParen: {
      const Token open = Consume();
      ASSIGN_OR_RETURN(ExprPtr inner, ParseDurationExpr(ctx, 1));
      ASSIGN_OR_RETURN(t, Peek());
      if (t->kind != TokenKind::kRightParen) return Unexpected(*t, ctx.context, ctx.expected);
      Consume();
      if (auto* de = inner->DynCast<DurationExpr>()) {
        de->wrapped = true;  // `((5m + 1m))` keeps one pair, as Prometheus prints it
        return inner;
      }
      // A parenthesised literal becomes a wrapped unary '+' so that it
      // prints with its parentheses (Prometheus PR 19403): it is then an
      // expression, checked when resolved.
      auto de = NewDurationExpr(TokenKind::kAdd, open.pos, open.end());
      de->rhs = std::move(inner);
      de->wrapped = true;
      return de;
    }
    default:
      return Unexpected(*t, ctx.context, ctx.expected);
  }
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseDurationFunction(const DurationContext& ctx) {
  ASSIGN_OR_RETURN(const Token* t, Peek());
  TokenKind op = t->kind;
  if (op == TokenKind::kIdentifier) op = MinMaxOf(*t);
  if (op == TokenKind::kEof) return Unexpected(*t, ctx.context, ctx.expected);
  const Token name = Consume();
  auto expect = [&](TokenKind k) -> absl::Status {
    ASSIGN_OR_RETURN(const Token* next, Peek());
    if (next->kind != k) return Unexpected(*next, ctx.context, ctx.expected);
    Consume();
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(expect(TokenKind::kLeftParen));
  auto de = NewDurationExpr(op, name.pos, name.end());
  if (op == TokenKind::kMin || op == TokenKind::kMax) {
    ASSIGN_OR_RETURN(de->lhs, ParseDurationExpr(ctx, 1));
    RETURN_IF_ERROR(expect(TokenKind::kComma));
    ASSIGN_OR_RETURN(de->rhs, ParseDurationExpr(ctx, 1));
  }
  RETURN_IF_ERROR(expect(TokenKind::kRightParen));
  de->end = last_end_;
  return de;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseOffsetDuration() {
  constexpr DurationContext kCtx{"offset", kDurationExpected};
  ASSIGN_OR_RETURN(const Token* t, Peek());
  std::optional<Token> sign;
  if (t->kind == TokenKind::kAdd || t->kind == TokenKind::kSub) {
    sign = Consume();
    ASSIGN_OR_RETURN(t, Peek());
  }
  ExprPtr e;
  switch (t->kind) {
    case TokenKind::kNumber:
    case TokenKind::kDuration: {
      const Token literal = Consume();
      auto nl = std::make_unique<NumberLiteral>();
      ASSIGN_OR_RETURN(nl->val, LiteralValue(literal));
      nl->duration = literal.kind == TokenKind::kDuration;
      nl->pos = {literal.pos, literal.end()};
      if (sign.has_value()) return ApplyDurationSign(*sign, std::move(nl));
      if (std::abs(nl->val) > kMaxDurationSeconds) return Error(nl->pos, "duration out of range");
      return nl;
    }
    case TokenKind::kStep:
    case TokenKind::kRange:
    case TokenKind::kIdentifier: {
      ASSIGN_OR_RETURN(e, ParseDurationFunction(kCtx));
      if (!sign.has_value()) return e;
      // Prometheus keeps a unary node here even for '+'.
      auto de = NewDurationExpr(sign->kind, sign->pos, sign->end());
      de->rhs = std::move(e);
      return de;
    }
    case TokenKind::kLeftParen: {
      ASSIGN_OR_RETURN(e, ParseDurationPrimary(kCtx));
      if (sign.has_value()) return ApplyDurationSign(*sign, std::move(e));
      return ParseDurationTail(std::move(e), kCtx, 1);
    }
    default:
      return Unexpected(*t, kCtx.context, kCtx.expected);
  }
}

}  // namespace strata::promql::parser_internal
