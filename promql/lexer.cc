#include "promql/lexer.h"

#include <array>
#include <utility>

#include "fmt/format.h"
#include "tsdb/labels/labels.h"

namespace strata::promql {
namespace {

constexpr int32_t kEofRune = -1;
constexpr int32_t kRuneError = 0xFFFD;
constexpr int32_t kMaxRune = 0x10FFFF;

constexpr std::string_view kDecimalDigits = "0123456789";
constexpr std::string_view kHexDigits = "0123456789abcdefABCDEF";

bool IsSpace(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsEndOfLine(int32_t r) { return r == '\r' || r == '\n'; }
// ASCII only, as Prometheus: non-Latin digits and letters are not accepted
// (prometheus/prometheus#939).
bool IsDigit(int32_t r) { return '0' <= r && r <= '9'; }
bool IsAlpha(int32_t r) { return r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z'); }
bool IsAlphaNumeric(int32_t r) { return IsAlpha(r) || IsDigit(r); }

bool Contains(std::string_view set, int32_t r) {
  return r >= 0 && r < 0x80 && set.find(static_cast<char>(r)) != std::string_view::npos;
}

int DigitVal(int32_t ch) {
  if ('0' <= ch && ch <= '9') return ch - '0';
  if ('a' <= ch && ch <= 'f') return ch - 'a' + 10;
  if ('A' <= ch && ch <= 'F') return ch - 'A' + 10;
  return 16;  // larger than any legal digit
}

struct KindInfo {
  TokenKind kind;
  std::string_view name;  // Prometheus's item type name
  std::string_view word;  // the keyword text, or "" for non-keywords
};

// Every kind, in enum order, so kKinds[static_cast<int>(k)] describes k.
constexpr std::array kKinds = {
    KindInfo{TokenKind::kEof, "EOF", ""},
    KindInfo{TokenKind::kError, "ERROR", ""},
    KindInfo{TokenKind::kComment, "COMMENT", ""},
    KindInfo{TokenKind::kIdentifier, "IDENTIFIER", ""},
    KindInfo{TokenKind::kMetricIdentifier, "METRIC_IDENTIFIER", ""},
    KindInfo{TokenKind::kNumber, "NUMBER", ""},
    KindInfo{TokenKind::kDuration, "DURATION", ""},
    KindInfo{TokenKind::kString, "STRING", ""},
    KindInfo{TokenKind::kLeftParen, "LEFT_PAREN", ""},
    KindInfo{TokenKind::kRightParen, "RIGHT_PAREN", ""},
    KindInfo{TokenKind::kLeftBrace, "LEFT_BRACE", ""},
    KindInfo{TokenKind::kRightBrace, "RIGHT_BRACE", ""},
    KindInfo{TokenKind::kLeftBracket, "LEFT_BRACKET", ""},
    KindInfo{TokenKind::kRightBracket, "RIGHT_BRACKET", ""},
    KindInfo{TokenKind::kComma, "COMMA", ""},
    KindInfo{TokenKind::kAssign, "EQL", ""},
    KindInfo{TokenKind::kColon, "COLON", ""},
    KindInfo{TokenKind::kDoubleColon, "DOUBLE_COLON", ""},
    KindInfo{TokenKind::kAdd, "ADD", ""},
    KindInfo{TokenKind::kSub, "SUB", ""},
    KindInfo{TokenKind::kMul, "MUL", ""},
    KindInfo{TokenKind::kDiv, "DIV", ""},
    KindInfo{TokenKind::kMod, "MOD", ""},
    KindInfo{TokenKind::kPow, "POW", ""},
    KindInfo{TokenKind::kEqlc, "EQLC", ""},
    KindInfo{TokenKind::kNeq, "NEQ", ""},
    KindInfo{TokenKind::kLss, "LSS", ""},
    KindInfo{TokenKind::kLte, "LTE", ""},
    KindInfo{TokenKind::kGtr, "GTR", ""},
    KindInfo{TokenKind::kGte, "GTE", ""},
    KindInfo{TokenKind::kEqlRegex, "EQL_REGEX", ""},
    KindInfo{TokenKind::kNeqRegex, "NEQ_REGEX", ""},
    KindInfo{TokenKind::kAt, "AT", ""},
    KindInfo{TokenKind::kLand, "LAND", "and"},
    KindInfo{TokenKind::kLor, "LOR", "or"},
    KindInfo{TokenKind::kLunless, "LUNLESS", "unless"},
    KindInfo{TokenKind::kAtan2, "ATAN2", "atan2"},
    KindInfo{TokenKind::kAvg, "AVG", "avg"},
    KindInfo{TokenKind::kBottomk, "BOTTOMK", "bottomk"},
    KindInfo{TokenKind::kCount, "COUNT", "count"},
    KindInfo{TokenKind::kCountValues, "COUNT_VALUES", "count_values"},
    KindInfo{TokenKind::kGroup, "GROUP", "group"},
    KindInfo{TokenKind::kMax, "MAX", "max"},
    KindInfo{TokenKind::kMin, "MIN", "min"},
    KindInfo{TokenKind::kQuantile, "QUANTILE", "quantile"},
    KindInfo{TokenKind::kStddev, "STDDEV", "stddev"},
    KindInfo{TokenKind::kStdvar, "STDVAR", "stdvar"},
    KindInfo{TokenKind::kSum, "SUM", "sum"},
    KindInfo{TokenKind::kTopk, "TOPK", "topk"},
    KindInfo{TokenKind::kLimitk, "LIMITK", "limitk"},
    KindInfo{TokenKind::kLimitRatio, "LIMIT_RATIO", "limit_ratio"},
    KindInfo{TokenKind::kBool, "BOOL", "bool"},
    KindInfo{TokenKind::kBy, "BY", "by"},
    KindInfo{TokenKind::kGroupLeft, "GROUP_LEFT", "group_left"},
    KindInfo{TokenKind::kGroupRight, "GROUP_RIGHT", "group_right"},
    KindInfo{TokenKind::kIgnoring, "IGNORING", "ignoring"},
    KindInfo{TokenKind::kOffset, "OFFSET", "offset"},
    KindInfo{TokenKind::kSmoothed, "SMOOTHED", "smoothed"},
    KindInfo{TokenKind::kAnchored, "ANCHORED", "anchored"},
    KindInfo{TokenKind::kOn, "ON", "on"},
    KindInfo{TokenKind::kWithout, "WITHOUT", "without"},
    KindInfo{TokenKind::kFill, "FILL", "fill"},
    KindInfo{TokenKind::kFillLeft, "FILL_LEFT", "fill_left"},
    KindInfo{TokenKind::kFillRight, "FILL_RIGHT", "fill_right"},
    KindInfo{TokenKind::kStart, "START", "start"},
    KindInfo{TokenKind::kEnd, "END", "end"},
    KindInfo{TokenKind::kStep, "STEP", "step"},
    KindInfo{TokenKind::kRange, "RANGE", "range"},
};
static_assert(kKinds.size() == static_cast<size_t>(TokenKind::kRange) + 1);

const KindInfo& Info(TokenKind k) { return kKinds[static_cast<size_t>(k)]; }

bool InRange(TokenKind k, TokenKind first, TokenKind last) {
  return static_cast<int>(k) >= static_cast<int>(first) &&
         static_cast<int>(k) <= static_cast<int>(last);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The keyword a word spells (compared lowercased), with `inf` and `nan`
// mapping to kNumber; false for ordinary identifiers.
bool LookupKeyword(std::string_view lower, TokenKind* kind) {
  if (lower == "inf" || lower == "nan") {
    *kind = TokenKind::kNumber;
    return true;
  }
  for (const KindInfo& info : kKinds) {
    if (!info.word.empty() && info.word == lower) {
      *kind = info.kind;
      return true;
    }
  }
  return false;
}

}  // namespace

bool IsOperator(TokenKind k) { return InRange(k, TokenKind::kAdd, TokenKind::kAtan2); }
bool IsAggregator(TokenKind k) { return InRange(k, TokenKind::kAvg, TokenKind::kLimitRatio); }
bool IsAggregatorWithParam(TokenKind k) {
  return k == TokenKind::kTopk || k == TokenKind::kBottomk || k == TokenKind::kCountValues ||
         k == TokenKind::kQuantile || k == TokenKind::kLimitk || k == TokenKind::kLimitRatio;
}
bool IsKeyword(TokenKind k) { return InRange(k, TokenKind::kBool, TokenKind::kFillRight); }
bool IsComparisonOperator(TokenKind k) {
  return k == TokenKind::kEqlc || k == TokenKind::kNeq || k == TokenKind::kLte ||
         k == TokenKind::kLss || k == TokenKind::kGte || k == TokenKind::kGtr;
}
bool IsSetOperator(TokenKind k) {
  return k == TokenKind::kLand || k == TokenKind::kLor || k == TokenKind::kLunless;
}

std::string_view TokenKindName(TokenKind k) { return Info(k).name; }

std::string TokenToString(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEof:
      return "EOF";
    case TokenKind::kError:
      return std::string(t.text);
    case TokenKind::kIdentifier:
    case TokenKind::kMetricIdentifier:
      return GoQuote(t.text);
    default:
      break;
  }
  if (IsKeyword(t.kind)) return fmt::format("<{}>", t.text);
  if (IsOperator(t.kind)) return fmt::format("<op:{}>", t.text);
  if (IsAggregator(t.kind)) return fmt::format("<aggr:{}>", t.text);
  if (t.text.size() > 10) return GoQuotePrefix(t.text, 10) + "...";
  return GoQuote(t.text);
}

std::string DescribeToken(const Token& t) {
  std::string_view kind_desc;
  switch (t.kind) {
    case TokenKind::kEof:
      return "end of input";
    case TokenKind::kError:
      kind_desc = "error";
      break;
    case TokenKind::kComment:
      kind_desc = "comment";
      break;
    case TokenKind::kIdentifier:
      kind_desc = "identifier";
      break;
    case TokenKind::kMetricIdentifier:
      kind_desc = "metric identifier";
      break;
    case TokenKind::kString:
      kind_desc = "string";
      break;
    case TokenKind::kNumber:
      kind_desc = "number";
      break;
    case TokenKind::kDuration:
      kind_desc = "duration";
      break;
    default:
      // Punctuation, operators, keywords: Prometheus has a fixed spelling for
      // these (ItemTypeStr) and prints the token alone.
      return TokenToString(t);
  }
  return fmt::format("{} {}", kind_desc, TokenToString(t));
}

// ---------------------------------------------------------------------------
// Lexer

Lexer::Lexer(std::string_view input) : input_(input) {}

int32_t Lexer::NextRune() {
  auto [r, w] = DecodeRune(input_.substr(pos_));
  width_ = w;
  pos_ += w;
  return r;
}

int32_t Lexer::PeekRune() {
  const int32_t r = NextRune();
  Backup();
  return r;
}

bool Lexer::Accept(std::string_view valid) {
  if (Contains(valid, NextRune())) return true;
  Backup();
  return false;
}

bool Lexer::Is(std::string_view valid) { return Contains(valid, PeekRune()); }

void Lexer::AcceptRun(std::string_view valid) {
  while (Contains(valid, NextRune())) {
  }
  Backup();
}

void Lexer::SkipSpaces() {
  while (IsSpace(PeekRune())) NextRune();
  start_ = pos_;
}

Token Lexer::Emit(TokenKind k) {
  Token t{k, start_, input_.substr(start_, pos_ - start_)};
  start_ = pos_;
  return t;
}

Token Lexer::Error(std::string message) {
  error_ = std::move(message);
  state_ = State::kDone;
  return Token{TokenKind::kError, start_, error_};
}

Token Lexer::Next() {
  switch (state_) {
    case State::kStatements:
      return LexStatements();
    case State::kInsideBraces:
      return LexInsideBraces();
    case State::kDurationExpr:
      return LexDurationExpr();
    case State::kDone:
      break;
  }
  start_ = pos_;
  return Token{TokenKind::kEof, pos_, {}};
}

Token Lexer::LexStatements() {
  for (;;) {
    if (input_.substr(pos_).starts_with('#')) return LexComment();
    const int32_t r = NextRune();
    if (r == kEofRune) {
      if (paren_depth_ != 0) return Error("unclosed left parenthesis");
      if (bracket_open_) return Error("unclosed left bracket");
      state_ = State::kDone;
      return Emit(TokenKind::kEof);
    }
    if (IsSpace(r)) {
      SkipSpaces();
      continue;
    }
    switch (r) {
      case ',':
        return Emit(TokenKind::kComma);
      case '*':
        return Emit(TokenKind::kMul);
      case '/':
        return Emit(TokenKind::kDiv);
      case '%':
        return Emit(TokenKind::kMod);
      case '+':
        return Emit(TokenKind::kAdd);
      case '-':
        return Emit(TokenKind::kSub);
      case '^':
        return Emit(TokenKind::kPow);
      case '@':
        return Emit(TokenKind::kAt);
      case '=': {
        const int32_t t = PeekRune();
        if (t == '=') {
          NextRune();
          return Emit(TokenKind::kEqlc);
        }
        if (t == '~') return Error("unexpected character after '=': " + GoQuoteRune(t));
        return Emit(TokenKind::kAssign);
      }
      case '!': {
        const int32_t t = NextRune();
        if (t != '=') return Error("unexpected character after '!': " + GoQuoteRune(t));
        return Emit(TokenKind::kNeq);
      }
      case '<':
      case '>': {
        const bool eq = PeekRune() == '=';
        if (eq) NextRune();
        if (r == '<') return Emit(eq ? TokenKind::kLte : TokenKind::kLss);
        return Emit(eq ? TokenKind::kGte : TokenKind::kGtr);
      }
      case '"':
      case '\'':
        return LexString(r);
      case '`':
        return LexRawString();
      case '(':
        ++paren_depth_;
        return Emit(TokenKind::kLeftParen);
      case ')': {
        Token t = Emit(TokenKind::kRightParen);
        if (--paren_depth_ < 0) return Error("unexpected right parenthesis ')'");
        return t;
      }
      case '{': {
        Token t = Emit(TokenKind::kLeftBrace);
        state_ = State::kInsideBraces;
        return t;
      }
      case '[': {
        if (bracket_open_) return Error("unexpected left bracket '['");
        got_colon_ = false;
        Token t = Emit(TokenKind::kLeftBracket);
        if (IsSpace(PeekRune())) SkipSpaces();
        bracket_open_ = true;
        state_ = State::kDurationExpr;
        return t;
      }
      case ']': {
        if (!bracket_open_) return Error("unexpected right bracket ']'");
        bracket_open_ = false;
        return Emit(TokenKind::kRightBracket);
      }
      default:
        break;
    }
    if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
      Backup();
      return LexNumberOrDuration();
    }
    if (IsAlpha(r) || r == ':') {
      if (!bracket_open_) {
        Backup();
        return LexKeywordOrIdentifier();
      }
      // Inside brackets, after the first duration: a subquery colon or a
      // duration-expression keyword.
      if (r == ':') {
        if (got_colon_) return Error("unexpected colon ':'");
        bool double_colon = PeekRune() == ':';
        if (double_colon) NextRune();
        got_colon_ = true;
        return Emit(double_colon ? TokenKind::kDoubleColon : TokenKind::kColon);
      }
      Token t;
      if ((r == 's' || r == 'S' || r == 'm' || r == 'M') && ScanDurationKeyword(&t)) return t;
      return Error(
          fmt::format("unexpected character: {}, expected {}", GoQuoteRune(r), GoQuoteRune(':')));
    }
    return Error("unexpected character: " + GoQuoteRune(r));
  }
}

Token Lexer::LexInsideBraces() {
  for (;;) {
    if (input_.substr(pos_).starts_with('#')) return LexComment();
    const int32_t r = NextRune();
    if (r == kEofRune) return Error("unexpected end of input inside braces");
    if (IsSpace(r)) {
      SkipSpaces();
      continue;
    }
    if (IsAlpha(r)) {
      Backup();
      return LexIdentifier();
    }
    switch (r) {
      case ',':
        return Emit(TokenKind::kComma);
      case '"':
      case '\'':
        return LexString(r);
      case '`':
        return LexRawString();
      case '=':
        if (NextRune() == '~') return Emit(TokenKind::kEqlRegex);
        Backup();
        return Emit(TokenKind::kAssign);
      case '!': {
        const int32_t nr = NextRune();
        if (nr == '~') return Emit(TokenKind::kNeqRegex);
        if (nr == '=') return Emit(TokenKind::kNeq);
        return Error("unexpected character after '!' inside braces: " + GoQuoteRune(nr));
      }
      case '{':
        return Error("unexpected left brace '{'");
      case '}': {
        Token t = Emit(TokenKind::kRightBrace);
        state_ = State::kStatements;
        return t;
      }
      default:
        return Error("unexpected character inside braces: " + GoQuoteRune(r));
    }
  }
}

Token Lexer::LexDurationExpr() {
  for (;;) {
    const int32_t r = NextRune();
    switch (r) {
      case kEofRune:
        return Error("unexpected end of input in duration expression");
      case ']': {
        Token t = Emit(TokenKind::kRightBracket);
        bracket_open_ = false;
        got_colon_ = false;
        state_ = State::kStatements;
        return t;
      }
      case ':': {
        // Prometheus emits the colon and then replaces it with the error, so
        // the error is reported just after the colon.
        Token t = Emit(TokenKind::kColon);
        if (!got_duration_) return Error("unexpected colon before duration in duration expression");
        if (got_colon_) return Error("unexpected repeated colon in duration expression");
        got_colon_ = true;
        return t;
      }
      case '(':
        ++paren_depth_;
        return Emit(TokenKind::kLeftParen);
      case ')': {
        Token t = Emit(TokenKind::kRightParen);
        if (--paren_depth_ < 0) return Error("unexpected right parenthesis ')'");
        return t;
      }
      case '+':
        return Emit(TokenKind::kAdd);
      case '-':
        return Emit(TokenKind::kSub);
      case '*':
        return Emit(TokenKind::kMul);
      case '/':
        return Emit(TokenKind::kDiv);
      case '%':
        return Emit(TokenKind::kMod);
      case '^':
        return Emit(TokenKind::kPow);
      case ',':
        return Emit(TokenKind::kComma);
      case 's':
      case 'S':
      case 'm':
      case 'M':
      case 'r':
      case 'R': {
        Token t;
        if (ScanDurationKeyword(&t)) return t;
        return Error("unexpected character in duration expression: " + GoQuoteRune(r));
      }
      default:
        break;
    }
    if (IsSpace(r)) {
      SkipSpaces();
      continue;
    }
    if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
      Backup();
      got_duration_ = true;
      return LexNumberOrDuration();
    }
    return Error("unexpected character in duration expression: " + GoQuoteRune(r));
  }
}

bool Lexer::ScanDurationKeyword(Token* out) {
  while (IsAlpha(NextRune())) {
  }
  Backup();
  const std::string word = AsciiLower(input_.substr(start_, pos_ - start_));
  TokenKind kind;
  if (word == "step") {
    kind = TokenKind::kStep;
  } else if (word == "range") {
    kind = TokenKind::kRange;
  } else if (word == "min") {
    kind = TokenKind::kMin;
  } else if (word == "max") {
    kind = TokenKind::kMax;
  } else if (word == "min_of" || word == "max_of") {
    // Keywords in Prometheus 3.14 (MIN_OF/MAX_OF); identifiers here, as
    // outside brackets, where min_of(…) is also a function call.
    kind = TokenKind::kIdentifier;
  } else {
    return false;
  }
  *out = Emit(kind);
  return true;
}

Token Lexer::LexString(int32_t quote) {
  for (;;) {
    const int32_t r = NextRune();
    if (r == '\\') {
      std::string error;
      if (!LexEscape(quote, &error)) return Error(std::move(error));
      continue;
    }
    // Go's decoder also returns U+FFFD for a literal (valid) U+FFFD, and
    // Prometheus rejects both.
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEofRune || r == '\n') return Error("unterminated quoted string");
    if (r == quote) return Emit(TokenKind::kString);
  }
}

bool Lexer::LexEscape(int32_t quote, std::string* error) {
  int32_t ch = NextRune();
  int n;
  uint32_t base, max;
  switch (ch) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
      return true;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
      n = 3, base = 8, max = 255;
      break;
    case 'x':
      ch = NextRune();
      n = 2, base = 16, max = 255;
      break;
    case 'u':
      ch = NextRune();
      n = 4, base = 16, max = kMaxRune;
      break;
    case 'U':
      ch = NextRune();
      n = 8, base = 16, max = kMaxRune;
      break;
    case kEofRune:
      *error = "escape sequence not terminated";
      return false;
    default:
      if (ch == quote) return true;
      *error = "unknown escape sequence " + GoFormatUnicode(ch);
      return false;
  }
  uint32_t x = 0;
  while (n > 0) {
    const uint32_t d = static_cast<uint32_t>(DigitVal(ch));
    if (d >= base) {
      *error = ch == kEofRune ? "escape sequence not terminated"
                              : "illegal character " + GoFormatUnicode(ch) + " in escape sequence";
      return false;
    }
    x = x * base + d;
    if (--n > 0) ch = NextRune();
  }
  if (x > max || (0xD800 <= x && x < 0xE000)) {
    *error = "escape sequence is an invalid Unicode code point";
    return false;
  }
  return true;
}

Token Lexer::LexRawString() {
  for (;;) {
    const int32_t r = NextRune();
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEofRune) return Error("unterminated raw string");
    if (r == '`') return Emit(TokenKind::kString);
  }
}

Token Lexer::LexComment() {
  ++pos_;  // '#'
  int32_t r;
  do {
    r = NextRune();
  } while (!IsEndOfLine(r) && r != kEofRune);
  Backup();
  return Emit(TokenKind::kComment);
}

Token Lexer::LexNumberOrDuration() {
  if (ScanNumber()) {
    state_ = State::kStatements;
    return Emit(TokenKind::kNumber);
  }
  if (AcceptRemainingDuration()) {
    Backup();
    state_ = State::kStatements;
    return Emit(TokenKind::kDuration);
  }
  return Error("bad number or duration syntax: " + GoQuote(input_.substr(start_, pos_ - start_)));
}

bool Lexer::AcceptRemainingDuration() {
  if (!Accept("smhdwy")) return false;
  Accept("s");  // "ms"; a bad unit such as "hs" is caught when the duration is parsed
  while (Accept(kDecimalDigits)) {
    AcceptRun(kDecimalDigits);
    if (!Accept("smhdw")) return false;  // 'y' can only come first
    Accept("s");
  }
  return !IsAlphaNumeric(NextRune());
}

// Scans [0x][.]d[d._eE]* with Prometheus's rules on where '.', exponents and
// '_' may appear. The text need not be a valid number (the parser checks
// that), but it must not run into a letter or digit.
bool Lexer::ScanNumber() {
  const Pos initial = pos_;
  std::string_view digits = kDecimalDigits;
  if (Accept("0") && Accept("xX")) {
    Accept("_");  // 0x_1f
    digits = kHexDigits;
  }
  const bool hex = digits.size() > 10;
  const std::string continuation = std::string(digits) + "._eE";
  Accept(".");
  Accept(digits);
  bool dot = false, exponent = false;
  while (Is(continuation)) {
    if (Is(".") && dot) {
      Accept(".");
      return false;
    }
    if (Is("eE") && exponent) {
      Accept("eE");
      return false;
    }
    if (Accept(".")) {
      dot = true;
      if (Accept("_.") || hex) return false;  // no "1._", "1..", or fractional hex
      continue;
    }
    if (Accept("eE")) {
      exponent = true;
      Accept("+-");
      if (Accept("._eE") || PeekRune() == kEofRune) return false;
      continue;
    }
    if (Accept("_")) {
      if (Accept("._eE") || PeekRune() == kEofRune) return false;
      continue;
    }
    AcceptRun(digits);
  }
  if (pos_ == initial) return false;
  return !IsAlphaNumeric(PeekRune());
}

Token Lexer::LexIdentifier() {
  while (IsAlphaNumeric(NextRune())) {
  }
  Backup();
  return Emit(TokenKind::kIdentifier);
}

Token Lexer::LexKeywordOrIdentifier() {
  for (;;) {
    const int32_t r = NextRune();
    if (!IsAlphaNumeric(r) && r != ':') break;
  }
  Backup();
  const std::string_view word = input_.substr(start_, pos_ - start_);
  TokenKind kind;
  if (LookupKeyword(AsciiLower(word), &kind)) {
    const bool fill =
        kind == TokenKind::kFill || kind == TokenKind::kFillLeft || kind == TokenKind::kFillRight;
    if (fill && !FollowedByLeftParen()) return Emit(TokenKind::kIdentifier);
    return Emit(kind);
  }
  if (word.find(':') == std::string_view::npos) return Emit(TokenKind::kIdentifier);
  return Emit(TokenKind::kMetricIdentifier);
}

bool Lexer::FollowedByLeftParen() const {
  for (size_t i = pos_; i < input_.size(); ++i) {
    if (!IsSpace(static_cast<unsigned char>(input_[i]))) return input_[i] == '(';
  }
  return false;
}

}  // namespace strata::promql
