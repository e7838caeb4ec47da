#include "promql/parser.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "promql/duration_expr.h"
#include "promql/lexer.h"
#include "promql/parser_internal.h"
#include "promql/strconv.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/labels/labels.h"

namespace strata::promql {
namespace parser_internal {

bool IsMetricIdentifier(TokenKind k) {
  switch (k) {
    case TokenKind::kIdentifier:
    case TokenKind::kMetricIdentifier:
    case TokenKind::kBy:
    case TokenKind::kLand:
    case TokenKind::kLor:
    case TokenKind::kLunless:
    case TokenKind::kOffset:
    case TokenKind::kWithout:
    case TokenKind::kStart:
    case TokenKind::kEnd:
    case TokenKind::kStep:
    case TokenKind::kRange:
    case TokenKind::kAnchored:
    case TokenKind::kSmoothed:
      return true;
    default:
      return IsAggregator(k);
  }
}

bool IsMatchOp(TokenKind k) {
  return k == TokenKind::kAssign || k == TokenKind::kNeq || k == TokenKind::kEqlRegex ||
         k == TokenKind::kNeqRegex;
}

MatchType ToMatchType(TokenKind k) {
  switch (k) {
    case TokenKind::kNeq:
      return MatchType::kNotEqual;
    case TokenKind::kEqlRegex:
      return MatchType::kRegexMatch;
    case TokenKind::kNeqRegex:
      return MatchType::kRegexNoMatch;
    default:
      return MatchType::kEqual;
  }
}

bool IsNumberOrDuration(TokenKind k) {
  return k == TokenKind::kNumber || k == TokenKind::kDuration;
}

// Go's %f, which prints infinities as "+Inf"/"-Inf" and NaN as "NaN".
std::string GoFormatF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{:f}", v);
}

// time.Duration(math.Round(seconds * 1e9)), saturated instead of Go's
// platform-dependent conversion of out-of-range values.
absl::Duration SecondsToDuration(double seconds) {
  const double ns = std::round(seconds * 1e9);
  if (std::isnan(ns)) return absl::ZeroDuration();
  if (ns >= 9223372036854775807.0) return absl::Nanoseconds(std::numeric_limits<int64_t>::max());
  if (ns <= -9223372036854775808.0) return absl::Nanoseconds(std::numeric_limits<int64_t>::min());
  return absl::Nanoseconds(static_cast<int64_t>(ns));
}

}  // namespace parser_internal

std::string FormatPosition(std::string_view input, Pos pos) {
  if (input.empty()) return "unknown position";
  if (pos < 0 || static_cast<size_t>(pos) > input.size()) return "invalid position";
  int line = 1;
  Pos last_line_break = -1;
  for (Pos i = 0; i < pos; ++i) {
    if (input[i] == '\n') {
      last_line_break = i;
      ++line;
    }
  }
  return fmt::format("{}:{}", line, pos - last_line_break);
}

namespace parser_internal {

absl::StatusOr<const Token*> Parser::Peek() {
  if (!lookahead_.has_value()) {
    Token t;
    do {
      t = lexer_.Next();
    } while (t.kind == TokenKind::kComment);
    lookahead_ = t;
  }
  if (lookahead_->kind == TokenKind::kError) {
    return Error({lookahead_->pos, static_cast<Pos>(input_.size())}, lookahead_->text);
  }
  return &*lookahead_;
}

Token Parser::Consume() {
  Token t = *lookahead_;
  lookahead_.reset();
  last_end_ = t.end();
  return t;
}

absl::Status Parser::Error(PositionRange r, std::string_view message) const {
  return absl::InvalidArgumentError(
      fmt::format("{}: parse error: {}", FormatPosition(input_, r.start), message));
}

absl::Status Parser::Unexpected(const Token& t, std::string_view context,
                                std::string_view expected) const {
  std::string message = "unexpected " + DescribeToken(t);
  if (!context.empty()) message += fmt::format(" in {}", context);
  if (!expected.empty()) message += fmt::format(", expected {}", expected);
  return Error({t.pos, t.end()}, message);
}

absl::StatusOr<std::vector<Matcher>> Parser::MetricSelector() {
  ASSIGN_OR_RETURN(const Token* t, Peek());
  std::unique_ptr<VectorSelector> vs;
  if (IsMetricIdentifier(t->kind)) {
    const Token name = Consume();
    ASSIGN_OR_RETURN(vs, ParseSelector(&name));
  } else if (t->kind == TokenKind::kLeftBrace) {
    ASSIGN_OR_RETURN(vs, ParseSelector(nullptr));
  } else {
    return Unexpected(*t, "", "");
  }
  ASSIGN_OR_RETURN(t, Peek());
  if (t->kind != TokenKind::kEof) return Unexpected(*t, "", "");
  return std::move(vs->matchers);
}

absl::StatusOr<std::unique_ptr<Expr>> Parser::Expression() {
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind == TokenKind::kEof) return Error({0, 0}, "no expression found in input");
  ASSIGN_OR_RETURN(ExprPtr e, ParseBinary(1));
  ASSIGN_OR_RETURN(t, Peek());
  if (t->kind != TokenKind::kEof) return Unexpected(*t, "", "");
  RETURN_IF_ERROR(Check(*e));
  return e;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParsePostfix(ExprPtr e) {
  for (;;) {
    ASSIGN_OR_RETURN(const Token* t, Peek());
    switch (t->kind) {
      case TokenKind::kLeftBracket: {
        ASSIGN_OR_RETURN(e, ParseRange(std::move(e)));
        break;
      }
      case TokenKind::kOffset:
        RETURN_IF_ERROR(ParseOffset(e.get()));
        break;
      case TokenKind::kAt:
        RETURN_IF_ERROR(ParseAt(e.get()));
        break;
      case TokenKind::kAnchored:
        // Prometheus's default (--enable-feature=promql-extended-range-selectors off).
        return Error(e->position_range(), "anchored modifier is experimental and not enabled");
      case TokenKind::kSmoothed:
        return Error(e->position_range(), "smoothed modifier is experimental and not enabled");
      default:
        return e;
    }
  }
}

absl::StatusOr<std::unique_ptr<VectorSelector>> Parser::ParseSelector(const Token* name) {
  auto vs = std::make_unique<VectorSelector>();
  if (name != nullptr) {
    vs->name = std::string(name->text);
    vs->pos = {name->pos, name->end()};
    ASSIGN_OR_RETURN(Matcher m,
                     (Matcher::Create(MatchType::kEqual, std::string(kMetricNameLabel), vs->name)));
    vs->matchers.push_back(std::move(m));
  }
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind != TokenKind::kLeftBrace) {
    if (name == nullptr) return Unexpected(*t, "", "");
    return vs;
  }
  const Token brace = Consume();
  if (name == nullptr) vs->pos.start = brace.pos;
  RETURN_IF_ERROR(ParseLabelMatchers(vs.get()));
  return vs;
}

absl::Status Parser::ParseLabelMatchers(VectorSelector* vs) {
  for (;;) {
    ASSIGN_OR_RETURN(const Token* t, Peek());
    if (t->kind != TokenKind::kRightBrace) {
      RETURN_IF_ERROR(ParseLabelMatcher(vs));
      ASSIGN_OR_RETURN(t, Peek());
      if (t->kind == TokenKind::kComma) {
        Consume();
        continue;  // a '}' may follow: trailing commas are fine
      }
      if (t->kind != TokenKind::kRightBrace) {
        return Unexpected(*t, "label matching", R"("," or "}")");
      }
    }
    vs->pos.end = Consume().end();
    return absl::OkStatus();
  }
}

absl::Status Parser::ParseLabelMatcher(VectorSelector* vs) {
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind != TokenKind::kIdentifier && t->kind != TokenKind::kString) {
    return Unexpected(*t, "label matching", R"(identifier or "}")");
  }
  const Token label = Consume();
  std::string name;
  if (label.kind == TokenKind::kString) {
    // Prometheus 3: a quoted label name, or alone a quoted metric name.
    ASSIGN_OR_RETURN(name, UnquoteToken(label));
  } else {
    name = std::string(label.text);
  }
  ASSIGN_OR_RETURN(const Token* op, Peek());
  if (!IsMatchOp(op->kind)) {
    if (label.kind == TokenKind::kIdentifier) {
      return Unexpected(*op, "label matching", "label matching operator");
    }
    ASSIGN_OR_RETURN(Matcher m,
                     (Matcher::Create(MatchType::kEqual, std::string(kMetricNameLabel), name)));
    vs->matchers.push_back(std::move(m));
    return absl::OkStatus();
  }
  const TokenKind op_kind = Consume().kind;
  ASSIGN_OR_RETURN(const Token* v, Peek());
  if (v->kind != TokenKind::kString) return Unexpected(*v, "label matching", "string");
  const Token value_token = Consume();
  ASSIGN_OR_RETURN(std::string value, UnquoteToken(value_token));
  absl::StatusOr<Matcher> m = Matcher::Create(ToMatchType(op_kind), std::move(name), value);
  if (!m.ok()) return Error({label.pos, value_token.end()}, Message(m.status()));
  vs->matchers.push_back(*std::move(m));
  return absl::OkStatus();
}

absl::StatusOr<std::string> Parser::UnquoteToken(const Token& t) {
  absl::StatusOr<std::string> s = Unquote(t.text);
  if (!s.ok()) {
    return Error({t.pos, t.end()}, fmt::format("error unquoting string {}: {}", GoQuote(t.text),
                                               Message(s.status())));
  }
  return s;
}

absl::StatusOr<double> Parser::LiteralValue(const Token& t) {
  if (t.kind == TokenKind::kDuration) {
    absl::StatusOr<absl::Duration> d = ParseDuration(t.text);
    if (!d.ok()) return Error({t.pos, t.end()}, Message(d.status()));
    // Go's Duration.Seconds(): whole seconds plus the nanoseconds left over.
    const int64_t ns = absl::ToInt64Nanoseconds(*d);
    return static_cast<double>(ns / 1000000000) + static_cast<double>(ns % 1000000000) / 1e9;
  }
  absl::StatusOr<double> v = ParseNumber(t.text);
  if (!v.ok()) {
    return Error({t.pos, t.end()}, fmt::format("error parsing number: {}", Message(v.status())));
  }
  return v;
}

absl::StatusOr<double> Parser::ParseSignedLiteral(std::string_view context,
                                                  std::string_view expected, PositionRange* range,
                                                  PositionRange* sign_range) {
  ASSIGN_OR_RETURN(const Token* t, Peek());
  std::optional<Token> sign;
  if (t->kind == TokenKind::kAdd || t->kind == TokenKind::kSub) {
    sign = Consume();
    ASSIGN_OR_RETURN(t, Peek());
  }
  if (!IsNumberOrDuration(t->kind)) return Unexpected(*t, context, expected);
  const Token literal = Consume();
  ASSIGN_OR_RETURN(double v, LiteralValue(literal));
  *range = {sign ? sign->pos : literal.pos, literal.end()};
  *sign_range = sign ? PositionRange{sign->pos, sign->end()} : *range;
  return sign && sign->kind == TokenKind::kSub ? -v : v;
}

namespace {

// The modifiers of the nodes that take offset and @: selectors and subqueries.
struct Modifiers {
  absl::Duration* offset;
  std::shared_ptr<const DurationExpr>* offset_expr;
  std::optional<int64_t>* timestamp;
  AtModifier* start_or_end;
  Pos* end;
};

std::optional<Modifiers> ModifiersOf(Expr* e) {
  if (auto* v = e->DynCast<VectorSelector>()) {
    return Modifiers{&v->original_offset, &v->original_offset_expr, &v->timestamp, &v->start_or_end,
                     &v->pos.end};
  }
  if (auto* m = e->DynCast<MatrixSelector>()) {
    VectorSelector* v = m->vector_selector.get();
    return Modifiers{&v->original_offset, &v->original_offset_expr, &v->timestamp, &v->start_or_end,
                     &m->end_pos};
  }
  if (auto* s = e->DynCast<SubqueryExpr>()) {
    return Modifiers{&s->original_offset, &s->original_offset_expr, &s->timestamp, &s->start_or_end,
                     &s->end_pos};
  }
  return std::nullopt;
}

// Splits a parsed duration into the literal value and the expression.
void StoreDuration(std::unique_ptr<Expr> e, absl::Duration* value,
                   std::shared_ptr<const DurationExpr>* expr) {
  if (const auto* nl = e->DynCast<NumberLiteral>()) {
    *value = SecondsToDuration(nl->val);
    return;
  }
  expr->reset(static_cast<DurationExpr*>(e.release()));
}

constexpr std::string_view kAtMisplaced =
    "@ modifier must be preceded by an instant vector selector or range vector selector or a "
    "subquery";

}  // namespace

absl::Status Parser::CheckPositiveDuration(const Expr& e) const {
  const auto* nl = e.DynCast<NumberLiteral>();
  if (nl != nullptr && nl->val <= 0) return Error(nl->pos, "duration must be greater than 0");
  return absl::OkStatus();
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseRange(ExprPtr e) {
  const Token open = Consume();  // '['
  constexpr DurationContext kRangeCtx{"subquery or range selector", kDurationExpected};
  ASSIGN_OR_RETURN(ExprPtr range, ParseDurationExpr(kRangeCtx, 1));
  ASSIGN_OR_RETURN(const Token* t, Peek());
  RETURN_IF_ERROR(CheckPositiveDuration(*range));
  bool subquery = false;
  ExprPtr step;
  switch (t->kind) {
    case TokenKind::kRightBracket:
      break;
    case TokenKind::kColon: {
      Consume();
      subquery = true;
      ASSIGN_OR_RETURN(t, Peek());
      if (t->kind == TokenKind::kRightBracket) break;
      constexpr DurationContext kStepCtx{"subquery selector",
                                         R"(number, duration, step(), range(), or "]")"};
      ASSIGN_OR_RETURN(step, ParseDurationExpr(kStepCtx, 1));
      ASSIGN_OR_RETURN(t, Peek());
      RETURN_IF_ERROR(CheckPositiveDuration(*step));
      if (t->kind != TokenKind::kRightBracket) {
        return Unexpected(*t, "subquery selector", R"("]")");
      }
      break;
    }
    default:
      return Unexpected(*t, "subquery or range", R"(":" or "]")");
  }
  const Token close = Consume();
  if (subquery) {
    RETURN_IF_ERROR(Nest(open.pos));
    auto sq = std::make_unique<SubqueryExpr>();
    sq->expr = std::move(e);
    StoreDuration(std::move(range), &sq->range, &sq->range_expr);
    if (step != nullptr) StoreDuration(std::move(step), &sq->step, &sq->step_expr);
    sq->end_pos = close.end();
    return sq;
  }
  const PositionRange brackets{open.pos, close.end()};
  VectorSelector* vs = e->DynCast<VectorSelector>();
  if (vs == nullptr) return Error(brackets, "ranges only allowed for vector selectors");
  if (vs->original_offset != absl::ZeroDuration()) {
    return Error(brackets, "no offset modifiers allowed before range");
  }
  // Like Prometheus, only an explicit timestamp is refused: `foo @ start() [5m]`
  // passes.
  if (vs->timestamp.has_value()) return Error(brackets, "no @ modifiers allowed before range");
  auto ms = std::make_unique<MatrixSelector>();
  ms->vector_selector.reset(static_cast<VectorSelector*>(e.release()));
  StoreDuration(std::move(range), &ms->range, &ms->range_expr);
  ms->end_pos = close.end();
  return ms;
}

absl::Status Parser::ParseOffset(Expr* e) {
  Consume();  // offset
  ASSIGN_OR_RETURN(ExprPtr offset, ParseOffsetDuration());
  const Pos end = last_end_;
  RETURN_IF_ERROR(Peek().status());
  std::optional<Modifiers> mods = ModifiersOf(e);
  if (!mods.has_value()) {
    return Error(e->position_range(),
                 "offset modifier must be preceded by an instant vector selector or range vector "
                 "selector or a subquery");
  }
  // As in Prometheus, a zero offset counts as none and may be set again.
  if (*mods->offset != absl::ZeroDuration() || *mods->offset_expr != nullptr) {
    return Error(e->position_range(), "offset may not be set multiple times");
  }
  StoreDuration(std::move(offset), mods->offset, mods->offset_expr);
  *mods->end = end;
  return absl::OkStatus();
}

absl::Status Parser::ParseAt(Expr* e) {
  Consume();  // @
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind == TokenKind::kStart || t->kind == TokenKind::kEnd) {
    const TokenKind which = Consume().kind;
    ASSIGN_OR_RETURN(t, Peek());
    if (t->kind != TokenKind::kLeftParen) return Unexpected(*t, "@", "timestamp");
    Consume();
    ASSIGN_OR_RETURN(t, Peek());
    if (t->kind != TokenKind::kRightParen) return Unexpected(*t, "@", "timestamp");
    const Pos end = Consume().end();
    std::optional<Modifiers> mods = ModifiersOf(e);
    if (!mods.has_value()) return Error(e->position_range(), kAtMisplaced);
    *mods->end = end;
    if (mods->timestamp->has_value() || *mods->start_or_end != AtModifier::kNone) {
      return Error(e->position_range(), "@ <timestamp> may not be set multiple times");
    }
    *mods->start_or_end = which == TokenKind::kStart ? AtModifier::kStart : AtModifier::kEnd;
    return absl::OkStatus();
  }
  PositionRange literal, sign_range;
  ASSIGN_OR_RETURN(double seconds, (ParseSignedLiteral("@", "timestamp", &literal, &sign_range)));
  RETURN_IF_ERROR(SetTimestamp(e, seconds));
  *ModifiersOf(e)->end = literal.end;
  return absl::OkStatus();
}

absl::Status Parser::SetTimestamp(Expr* e, double seconds) {
  constexpr double kMaxInt64 = 9223372036854775807.0;  // rounds to 2^63, as Go's float64(MaxInt64)
  if (std::isnan(seconds) || std::isinf(seconds) || seconds >= kMaxInt64 || seconds <= -kMaxInt64) {
    return Error(e->position_range(),
                 "timestamp out of bounds for @ modifier: " + GoFormatF(seconds));
  }
  std::optional<Modifiers> mods = ModifiersOf(e);
  if (!mods.has_value()) return Error(e->position_range(), kAtMisplaced);
  if (mods->timestamp->has_value() || *mods->start_or_end != AtModifier::kNone) {
    return Error(e->position_range(), "@ <timestamp> may not be set multiple times");
  }
  // timestamp.FromFloatSeconds: round(seconds * 1000), saturated.
  const double ms = std::round(seconds * 1000);
  if (ms >= kMaxInt64) {
    *mods->timestamp = std::numeric_limits<int64_t>::max();
  } else if (ms <= -kMaxInt64) {
    *mods->timestamp = std::numeric_limits<int64_t>::min();
  } else {
    *mods->timestamp = static_cast<int64_t>(ms);
  }
  return absl::OkStatus();
}

absl::Status Parser::Nest(Pos pos, int n) {
  depth_ += n;
  if (depth_ > kMaxNestingDepth) {
    return Error({pos, pos},
                 fmt::format("expression nesting is deeper than the maximum of {} levels",
                             kMaxNestingDepth));
  }
  return absl::OkStatus();
}

}  // namespace parser_internal

using parser_internal::Parser;

absl::StatusOr<std::vector<Matcher>> ParseMetricSelector(std::string_view input) {
  return Parser(input).MetricSelector();
}

bool HasNonEmptyMatcher(const std::vector<Matcher>& matchers) {
  for (const Matcher& m : matchers) {
    if (!m.MatchesEmpty()) return true;
  }
  return false;
}

absl::StatusOr<std::unique_ptr<Expr>> ParseExpr(std::string_view input) {
  return Parser(input).Expression();
}

}  // namespace strata::promql
