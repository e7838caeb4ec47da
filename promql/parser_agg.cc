// Aggregations, function calls, and the label lists of by/without/on/
// ignoring/group_left/group_right.
#include <utility>

#include "fmt/format.h"
#include "promql/functions.h"
#include "promql/parser_internal.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/labels/labels.h"

namespace strata::promql::parser_internal {
namespace {

// Prometheus's maybe_label: identifiers and every keyword, aggregator and
// set operator may name a label in a grouping list.
bool IsLabelWord(TokenKind k) {
  return IsMetricIdentifier(k) || IsKeyword(k) || IsAggregator(k) || k == TokenKind::kBool ||
         k == TokenKind::kGroupLeft || k == TokenKind::kGroupRight || k == TokenKind::kIgnoring ||
         k == TokenKind::kOn;
}

bool ValidUtf8(std::string_view s) {
  while (!s.empty()) {
    auto [r, width] = DecodeRune(s);
    if (r == 0xFFFD && width == 1) return false;
    s.remove_prefix(width);
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> Parser::ParseGroupingLabels(Pos* end) {
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind != TokenKind::kLeftParen) return Unexpected(*t, "grouping opts", R"("(")");
  Consume();
  std::vector<std::string> labels;
  for (;;) {
    ASSIGN_OR_RETURN(t, Peek());
    if (t->kind == TokenKind::kRightParen) break;
    if (t->kind == TokenKind::kString) {
      const Token s = Consume();
      ASSIGN_OR_RETURN(std::string name, UnquoteToken(s));
      if (name.empty() || !ValidUtf8(name)) {
        return Error({s.pos, s.end()},
                     fmt::format("invalid label name for grouping: {}", GoQuote(name)));
      }
      labels.push_back(std::move(name));
    } else if (IsLabelWord(t->kind)) {
      labels.emplace_back(Consume().text);
    } else {
      return Unexpected(*t, "grouping opts", "label");
    }
    ASSIGN_OR_RETURN(t, Peek());
    if (t->kind == TokenKind::kComma) {
      Consume();  // a trailing comma is fine
      continue;
    }
    if (t->kind != TokenKind::kRightParen) {
      return Unexpected(*t, "grouping opts", "\",\" or \")\"");
    }
  }
  *end = Consume().end();
  return labels;
}

absl::StatusOr<std::vector<Parser::ExprPtr>> Parser::ParseArgs(Pos* end) {
  Consume();  // '(' (checked by the caller)
  std::vector<ExprPtr> args;
  ASSIGN_OR_RETURN(const Token* t, Peek());
  while (t->kind != TokenKind::kRightParen) {
    ASSIGN_OR_RETURN(ExprPtr arg, ParseBinary(1));
    args.push_back(std::move(arg));
    ASSIGN_OR_RETURN(t, Peek());
    if (t->kind == TokenKind::kComma) {
      const Token comma = Consume();
      ASSIGN_OR_RETURN(t, Peek());
      if (t->kind == TokenKind::kRightParen) {
        return Error({comma.pos, comma.end()}, "trailing commas not allowed in function call args");
      }
      continue;
    }
    if (t->kind != TokenKind::kRightParen) return Unexpected(*t, "", "");
  }
  *end = Consume().end();
  return args;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseAggregate(const Token& op) {
  auto agg = std::make_unique<AggregateExpr>();
  agg->op = op.kind;
  agg->pos.start = op.pos;
  bool have_modifier = false;
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind == TokenKind::kBy || t->kind == TokenKind::kWithout) {
    agg->without = Consume().kind == TokenKind::kWithout;
    ASSIGN_OR_RETURN(agg->grouping, ParseGroupingLabels(&agg->pos.end));
    have_modifier = true;
    ASSIGN_OR_RETURN(t, Peek());
  }
  if (t->kind != TokenKind::kLeftParen) return Unexpected(*t, "aggregation", "");
  ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseArgs(&agg->pos.end));
  if (!have_modifier) {
    ASSIGN_OR_RETURN(t, Peek());
    if (t->kind == TokenKind::kBy || t->kind == TokenKind::kWithout) {
      agg->without = Consume().kind == TokenKind::kWithout;
      ASSIGN_OR_RETURN(agg->grouping, ParseGroupingLabels(&agg->pos.end));
    }
  }
  if (args.empty()) return Error(agg->pos, "no arguments for aggregate expression provided");
  const size_t want = IsAggregatorWithParam(op.kind) ? 2 : 1;
  if (args.size() != want) {
    return Error(agg->pos, fmt::format("wrong number of arguments for aggregate expression "
                                       "provided, expected {}, got {}",
                                       want, args.size()));
  }
  if (want == 2) agg->param = std::move(args[0]);
  agg->expr = std::move(args[want - 1]);
  return agg;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseCall(const Token& name) {
  auto call = std::make_unique<Call>();
  call->pos.start = name.pos;
  ASSIGN_OR_RETURN(call->args, ParseArgs(&call->pos.end));
  call->func = FindFunction(name.text);
  if (call->func == nullptr) {
    return Error({name.pos, name.end()},
                 fmt::format("unknown function with name {}", GoQuote(name.text)));
  }
  return call;
}

}  // namespace strata::promql::parser_internal
