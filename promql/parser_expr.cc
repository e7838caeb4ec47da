// The expression grammar: binary operators, unary operators, literals,
// parentheses, and the dispatch to selectors, calls and aggregations.
#include <utility>

#include "fmt/format.h"
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
    if (kind == TokenKind::kIdentifier && next->kind == TokenKind::kLeftParen) {
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

}  // namespace strata::promql::parser_internal
