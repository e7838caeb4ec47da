#include "promql/parser.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "promql/lexer.h"
#include "promql/strconv.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/labels/labels.h"

namespace strata::promql {
namespace {

constexpr std::string_view kMetricNameLabel = "__name__";
// What may follow `offset` and `[` (Prometheus's wording).
constexpr std::string_view kDurationExpected = "number, duration, step(), or range()";

// Durations are float seconds in the grammar; Prometheus rejects those whose
// nanoseconds do not fit an int64 (> 2^63 / 1e9 seconds).
constexpr double kMaxDurationSeconds = 9223372036854775808.0 / 1e9;

// Debian's Abseil has its own string_view; messages are copied out as std::string.
std::string Message(const absl::Status& s) { return std::string(s.message()); }

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

// Tokens that start a duration expression beyond a plain [sign] literal.
bool StartsDurationExpr(TokenKind k) {
  return k == TokenKind::kLeftParen || k == TokenKind::kStep || k == TokenKind::kRange ||
         k == TokenKind::kMin || k == TokenKind::kMax;
}

// Binary operator precedence, lowest first; 0 for tokens that are not binary
// operators. POW is right-associative.
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
      return 6;
    default:
      return 0;
  }
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

// A recursive-descent parser with one token of lookahead, lexed lazily so
// that errors come out in the order Prometheus's LALR parser reports them
// (a semantic error in a matcher before a lexer error after it).
//
// Expression grammar, as it will be filled in (precedence climbing for the
// binary operators, lowest first: or; and unless; comparisons; + -;
// * / % atan2; ^ right-associative):
//   expr      := unary (binop modifiers unary)*
//   unary     := ('+' | '-')* postfix
//   postfix   := primary ('[' range (':' step)? ']' | offset … | '@' …)*
//   primary   := selector | number | string | '(' expr ')' | call | aggregation
// Only selectors and their postfix modifiers are built today; the other
// branches report "not supported yet" at the point where they begin.
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

  absl::StatusOr<ExprPtr> ParseBinary(int min_precedence);
  absl::StatusOr<ExprPtr> ParseUnary();
  absl::StatusOr<ExprPtr> ParsePrimary();
  absl::StatusOr<ExprPtr> ParsePostfix(ExprPtr e);
  // A selector after its optional metric name (already consumed).
  absl::StatusOr<std::unique_ptr<VectorSelector>> ParseSelector(const Token* name);
  absl::Status ParseLabelMatchers(VectorSelector* vs);
  absl::Status ParseLabelMatcher(VectorSelector* vs);
  absl::StatusOr<ExprPtr> ParseRange(ExprPtr e);
  absl::Status ParseOffset(Expr* e);
  absl::Status ParseAt(Expr* e);
  // A [sign] number-or-duration literal in seconds; `context`/`expected`
  // describe the error for anything else. Sets *range to its position.
  absl::StatusOr<double> ParseSignedLiteral(std::string_view context, std::string_view expected,
                                            PositionRange* range, PositionRange* sign_range);
  absl::StatusOr<double> LiteralValue(const Token& t);
  absl::StatusOr<std::string> UnquoteToken(const Token& t);
  absl::Status SetTimestamp(Expr* e, double seconds);
  absl::Status Check(const Expr& e);

  absl::Status Error(PositionRange r, std::string_view message) const;
  absl::Status Unexpected(const Token& t, std::string_view context,
                          std::string_view expected) const;
  absl::Status NotSupported(Pos pos, std::string_view what) const;

  std::string_view input_;
  Lexer lexer_;
  std::optional<Token> lookahead_;
};

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

absl::Status Parser::NotSupported(Pos pos, std::string_view what) const {
  return Error({pos, pos}, fmt::format("{} are not supported yet", what));
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

absl::StatusOr<Parser::ExprPtr> Parser::ParseBinary(int min_precedence) {
  ASSIGN_OR_RETURN(ExprPtr lhs, ParseUnary());
  ASSIGN_OR_RETURN(const Token* t, Peek());
  const int precedence = BinaryPrecedence(t->kind);
  if (precedence == 0 || precedence < min_precedence) return lhs;
  // Next: bool/on/ignoring/group_left/group_right modifiers, then
  // rhs = ParseBinary(t is ^ ? precedence : precedence + 1), in a loop.
  return NotSupported(t->pos, "binary expressions");
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseUnary() {
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (t->kind == TokenKind::kAdd || t->kind == TokenKind::kSub) {
    return NotSupported(t->pos, "unary expressions");
  }
  ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
  return ParsePostfix(std::move(e));
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
      return NotSupported(name.pos, "function calls");
    }
    if (IsAggregator(kind) && (next->kind == TokenKind::kLeftParen ||
                               next->kind == TokenKind::kBy || next->kind == TokenKind::kWithout)) {
      return NotSupported(name.pos, "aggregations");
    }
    return ParseSelector(&name);
  }
  switch (kind) {
    case TokenKind::kNumber:
    case TokenKind::kDuration:
      return NotSupported(t->pos, "number literals");
    case TokenKind::kString:
      return NotSupported(t->pos, "string literals");
    case TokenKind::kLeftParen:
      return NotSupported(t->pos, "parenthesized expressions");
    default:
      return Unexpected(*t, "", "");
  }
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
  if (!IsNumberOrDuration(t->kind)) {
    if (StartsDurationExpr(t->kind)) return NotSupported(t->pos, "duration expressions");
    return Unexpected(*t, context, expected);
  }
  const Token literal = Consume();
  ASSIGN_OR_RETURN(double v, LiteralValue(literal));
  *range = {sign ? sign->pos : literal.pos, literal.end()};
  *sign_range = sign ? PositionRange{sign->pos, sign->end()} : *range;
  return sign && sign->kind == TokenKind::kSub ? -v : v;
}

absl::StatusOr<Parser::ExprPtr> Parser::ParseRange(ExprPtr e) {
  const Token open = Consume();  // '['
  ASSIGN_OR_RETURN(const Token* t, Peek());
  if (StartsDurationExpr(t->kind)) return NotSupported(t->pos, "duration expressions");
  PositionRange literal, error_range;
  ASSIGN_OR_RETURN(double seconds, (ParseSignedLiteral("subquery or range selector",
                                                       kDurationExpected, &literal, &error_range)));
  // NaN is not caught by Prometheus (its range becomes MinInt64 ns); refuse it.
  if (std::isnan(seconds) || seconds > kMaxDurationSeconds || seconds < -kMaxDurationSeconds) {
    return Error(error_range, "duration out of range");
  }
  ASSIGN_OR_RETURN(t, Peek());
  if (seconds <= 0) return Error(literal, "duration must be greater than 0");
  switch (t->kind) {
    case TokenKind::kRightBracket:
      break;
    case TokenKind::kColon:
      return NotSupported(t->pos, "subqueries");
    case TokenKind::kAdd:
    case TokenKind::kSub:
    case TokenKind::kMul:
    case TokenKind::kDiv:
    case TokenKind::kMod:
    case TokenKind::kPow:
      return NotSupported(t->pos, "duration expressions");
    default:
      return Unexpected(*t, "subquery or range", R"(":" or "]")");
  }
  const Token close = Consume();
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
  ms->range = SecondsToDuration(seconds);
  ms->end_pos = close.end();
  return ms;
}

absl::Status Parser::ParseOffset(Expr* e) {
  Consume();  // offset
  PositionRange literal, error_range;
  ASSIGN_OR_RETURN(double seconds,
                   (ParseSignedLiteral("offset", kDurationExpected, &literal, &error_range)));
  RETURN_IF_ERROR(Peek().status());
  if (seconds > kMaxDurationSeconds || seconds < -kMaxDurationSeconds) {
    return Error(error_range, "duration out of range");
  }
  VectorSelector* vs;
  Pos* end;
  if (auto* v = e->DynCast<VectorSelector>()) {
    vs = v;
    end = &v->pos.end;
  } else if (auto* m = e->DynCast<MatrixSelector>()) {
    vs = m->vector_selector.get();
    end = &m->end_pos;
  } else {
    return Error(e->position_range(),
                 "offset modifier must be preceded by an instant vector selector or range vector "
                 "selector or a subquery");
  }
  // As in Prometheus, a zero offset counts as none and may be set again.
  if (vs->original_offset != absl::ZeroDuration()) {
    return Error(e->position_range(), "offset may not be set multiple times");
  }
  vs->original_offset = SecondsToDuration(seconds);
  *end = literal.end;
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
    VectorSelector* vs = nullptr;
    if (auto* v = e->DynCast<VectorSelector>()) {
      vs = v;
      v->pos.end = end;
    } else if (auto* m = e->DynCast<MatrixSelector>()) {
      vs = m->vector_selector.get();
      m->end_pos = end;
    } else {
      return Error(e->position_range(),
                   "@ modifier must be preceded by an instant vector selector or range vector "
                   "selector or a subquery");
    }
    if (vs->timestamp.has_value() || vs->start_or_end != AtModifier::kNone) {
      return Error(e->position_range(), "@ <timestamp> may not be set multiple times");
    }
    vs->start_or_end = which == TokenKind::kStart ? AtModifier::kStart : AtModifier::kEnd;
    return absl::OkStatus();
  }
  PositionRange literal, sign_range;
  ASSIGN_OR_RETURN(double seconds, (ParseSignedLiteral("@", "timestamp", &literal, &sign_range)));
  RETURN_IF_ERROR(SetTimestamp(e, seconds));
  if (auto* v = e->DynCast<VectorSelector>()) {
    v->pos.end = literal.end;
  } else {
    e->As<MatrixSelector>().end_pos = literal.end;
  }
  return absl::OkStatus();
}

absl::Status Parser::SetTimestamp(Expr* e, double seconds) {
  constexpr double kMaxInt64 = 9223372036854775807.0;  // rounds to 2^63, as Go's float64(MaxInt64)
  if (std::isnan(seconds) || std::isinf(seconds) || seconds >= kMaxInt64 || seconds <= -kMaxInt64) {
    return Error(e->position_range(),
                 "timestamp out of bounds for @ modifier: " + GoFormatF(seconds));
  }
  VectorSelector* vs = e->DynCast<VectorSelector>();
  if (vs == nullptr) {
    if (auto* m = e->DynCast<MatrixSelector>()) vs = m->vector_selector.get();
  }
  if (vs == nullptr) {
    return Error(e->position_range(),
                 "@ modifier must be preceded by an instant vector selector or range vector "
                 "selector or a subquery");
  }
  if (vs->timestamp.has_value() || vs->start_or_end != AtModifier::kNone) {
    return Error(e->position_range(), "@ <timestamp> may not be set multiple times");
  }
  // timestamp.FromFloatSeconds: round(seconds * 1000), saturated.
  const double ms = std::round(seconds * 1000);
  if (ms >= kMaxInt64) {
    vs->timestamp = std::numeric_limits<int64_t>::max();
  } else if (ms <= -kMaxInt64) {
    vs->timestamp = std::numeric_limits<int64_t>::min();
  } else {
    vs->timestamp = static_cast<int64_t>(ms);
  }
  return absl::OkStatus();
}

// Prometheus's checkAST, for the node kinds built so far.
absl::Status Parser::Check(const Expr& e) {
  if (const auto* ms = e.DynCast<MatrixSelector>()) return Check(*ms->vector_selector);
  const auto* vs = e.DynCast<VectorSelector>();
  if (vs == nullptr) return absl::OkStatus();
  if (!vs->name.empty()) {
    // matchers[0] is the name itself; another __name__ matcher repeats it.
    for (size_t i = 1; i < vs->matchers.size(); ++i) {
      const Matcher& m = vs->matchers[i];
      if (m.name() == kMetricNameLabel) {
        return Error(vs->pos, fmt::format("metric name must not be set twice: {} or {}",
                                          GoQuote(vs->name), GoQuote(m.value())));
      }
    }
    return absl::OkStatus();  // the name is a non-empty matcher
  }
  // Refuse selectors that would select every series (e.g. through a typo).
  if (!HasNonEmptyMatcher(vs->matchers)) {
    return Error(vs->pos, "vector selector must contain at least one non-empty matcher");
  }
  return absl::OkStatus();
}

}  // namespace

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
