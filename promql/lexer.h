// PromQL lexer: turns a query string into tokens exactly as Prometheus 3's
// lexer (promql/parser/lex.go) does, including its error messages and the
// byte positions they are reported at.
//
// The lexer is context-sensitive, like Prometheus's:
//   - Inside `{...}` keywords are plain identifiers (`{on="x"}`), ':' is not
//     an identifier character, and only `= != =~ !~ , "..."` are accepted.
//   - Inside `[...]` (ranges, subqueries, duration expressions) only numbers,
//     durations, `: ( ) + - * / % ^ ,` and the words step, range, min, max
//     (keywords), min_of and max_of (identifiers) are accepted; another word
//     is an error there.
//   - A number directly followed by a unit (`5m`, `1h30m`, `500ms`, `1y2w`)
//     is one DURATION token. Units are validated later, by the parser.
//   - Words are matched against keywords case-insensitively (`SUM`, `By`);
//   - `inf` and `nan` (any case) are NUMBER tokens.
//   - fill, fill_left and fill_right are keywords only when the next
//     non-space character is '(' (so `fill` stays usable as a metric name).
//
// Series descriptions of the promtool/promqltest format (`1+2x3 _ stale`,
// `{{schema:1 ...}}`) are a separate mode in Prometheus and are not lexed
// here.
//
// Errors: the first problem produces one kError token whose text is the
// Prometheus message (e.g. "unexpected character inside braces: '*'") and
// whose position is where Prometheus reports it. Prometheus's lexer keeps
// going after some errors; this one returns kEof from then on, which is
// equivalent because Prometheus's parser stops at the first lexer error.
//
// Thread safety: a Lexer is a single-threaded cursor; the free functions are
// thread-safe.
#ifndef STRATA_PROMQL_LEXER_H_
#define STRATA_PROMQL_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "promql/strconv.h"

namespace strata::promql {

// A byte offset into the query string.
using Pos = int;

// Token kinds, grouped as Prometheus groups its item types. The grouping
// matters for error messages (operators print as <op:+>, keywords as <by>,
// aggregators as <aggr:sum>) and for the Is* predicates below.
enum class TokenKind : uint8_t {
  kEof,
  kError,
  kComment,  // `# ...` up to the end of the line; the parser skips it

  kIdentifier,        // foo, NaN123 (and any word inside braces)
  kMetricIdentifier,  // a word containing ':' (job:rate:5m, :foo)
  kNumber,            // 1, 4.23, .3, 5., 0x1f, 1e-3, 1_000, Inf, nan
  kDuration,          // 5m, 1h30m, 500ms
  kString,            // "…", '…' or `…`, text still quoted as written

  // Punctuation.
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kAssign,  // '=' (label matching; Prometheus calls it EQL)
  kColon,
  kDoubleColon,  // '::' inside brackets

  // Operators (Prometheus's operatorsStart..operatorsEnd).
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,  // ==
  kNeq,   // !=
  kLss,
  kLte,
  kGtr,
  kGte,
  kEqlRegex,  // =~
  kNeqRegex,  // !~
  kAt,        // @
  kLand,      // and
  kLor,       // or
  kLunless,   // unless
  kAtan2,

  // Aggregators.
  kAvg,
  kBottomk,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopk,
  kLimitk,
  kLimitRatio,

  // Keywords.
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kIgnoring,
  kOffset,
  kSmoothed,
  kAnchored,
  kOn,
  kWithout,
  kFill,
  kFillLeft,
  kFillRight,

  // Preprocessors (@ start(), @ end(), step(), range() in durations).
  kStart,
  kEnd,
  kStep,
  kRange,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  Pos pos = 0;  // byte offset of the first character
  // The token's source text (quotes included for strings). For kError the
  // message instead; it points into the Lexer and lives as long as it.
  std::string_view text;

  Pos end() const { return pos + static_cast<Pos>(text.size()); }
};

bool IsOperator(TokenKind k);
bool IsAggregator(TokenKind k);
// TOPK, BOTTOMK, COUNT_VALUES, QUANTILE, LIMITK, LIMIT_RATIO.
bool IsAggregatorWithParam(TokenKind k);
bool IsKeyword(TokenKind k);
bool IsComparisonOperator(TokenKind k);  // == != < <= > >=
bool IsSetOperator(TokenKind k);         // and or unless

// The kind's name as Prometheus spells the item type ("IDENTIFIER",
// "LEFT_BRACE", "EQL_REGEX", …), for tests and debugging.
std::string_view TokenKindName(TokenKind k);

// The token as Prometheus's Item.String() renders it: "\"foo\"" for
// identifiers, "<op:+>", "<aggr:sum>", "<by>", "\"1\"", long texts cut to
// 10 runes and followed by "...".
std::string TokenToString(const Token& t);
// The token as Prometheus's error messages describe it ("unexpected " +
// this): `"}"`, `<op:==>`, `identifier "foo"`, `string "\"x\""`,
// `number "1"`, `end of input`.
std::string DescribeToken(const Token& t);

class Lexer {
 public:
  // `input` must outlive the Lexer and the tokens it returns.
  explicit Lexer(std::string_view input);

  Lexer(const Lexer&) = delete;
  Lexer& operator=(const Lexer&) = delete;

  // The next token, comments included. After kEof or kError, kEof forever.
  Token Next();

  std::string_view input() const { return input_; }

 private:
  enum class State : uint8_t { kStatements, kInsideBraces, kDurationExpr, kDone };

  // Each returns the next token of its state (Prometheus's lexStatements,
  // lexInsideBraces, lexDurationExpr), skipping spaces.
  Token LexStatements();
  Token LexInsideBraces();
  Token LexDurationExpr();
  Token LexString(int32_t quote);
  Token LexRawString();
  // Validates the escape after a backslash; fills *error on failure.
  bool LexEscape(int32_t quote, std::string* error);
  Token LexComment();
  Token LexNumberOrDuration();
  Token LexKeywordOrIdentifier();
  Token LexIdentifier();
  // Reads the rest of a word inside brackets and emits step/range/min/max.
  bool ScanDurationKeyword(Token* out);
  bool ScanNumber();
  bool AcceptRemainingDuration();
  bool FollowedByLeftParen() const;

  // Rune cursor with Go's UTF-8 decoding (an invalid byte is U+FFFD, width
  // 1); -1 at end of input.
  int32_t NextRune();
  int32_t PeekRune();
  void Backup() { pos_ -= width_; }
  bool Accept(std::string_view valid);
  bool Is(std::string_view valid);
  void AcceptRun(std::string_view valid);
  void SkipSpaces();

  // Emits the pending text [start_, pos_) as a token of kind `k`.
  Token Emit(TokenKind k);
  // Emits an error at start_ and stops lexing.
  Token Error(std::string message);

  std::string_view input_;
  Pos pos_ = 0;    // next byte to read
  Pos start_ = 0;  // start of the pending token
  Pos width_ = 0;  // width of the last rune read
  State state_ = State::kStatements;
  int paren_depth_ = 0;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  bool got_duration_ = false;
  std::string error_;  // text of the kError token
};

}  // namespace strata::promql

#endif  // STRATA_PROMQL_LEXER_H_
