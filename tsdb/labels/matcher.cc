#include "tsdb/labels/matcher.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "tsdb/labels/labels.h"

namespace strata {
namespace {

// Sets up to this size are matched by comparing against each literal; larger
// ones through a hash set (Grafana sends alternations of hundreds of values).
constexpr size_t kLinearSetMax = 8;

// Enough for large non-literal alternations; RE2 allocates it lazily.
constexpr int64_t kRegexMaxMem = 32 << 20;

// The wildcards the affix fast path understands around a literal.
enum class Wild : uint8_t { kNone, kStar, kPlus };  // "", ".*", ".+"

// A regex, split conservatively into tokens. Anything that is not a literal
// byte, an escaped metacharacter, '.', '*', '+' or '|' makes the scan give up
// (the regex then runs through RE2), so a fast path is only ever taken for a
// regex whose meaning is certain.
struct Token {
  enum Kind : uint8_t { kLiteral, kDot, kStar, kPlus, kPipe } kind;
  char c;  // kLiteral only
};

// The characters Go's regexp.QuoteMeta escapes.
bool IsMeta(char c) {
  return std::string_view(R"(\.+*?()|[]{}^$)").find(c) != std::string_view::npos;
}

bool Tokenize(std::string_view re, std::vector<Token>* out) {
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '\\') {
      // Only "\" + metacharacter (what Go's QuoteMeta produces) is known to
      // be that literal character; \d, \pL, \Q… etc. go to RE2.
      if (i + 1 >= re.size() || !IsMeta(re[i + 1])) return false;
      out->push_back({Token::kLiteral, re[++i]});
      continue;
    }
    switch (c) {
      case '.':
        out->push_back({Token::kDot, 0});
        break;
      case '*':
        out->push_back({Token::kStar, 0});
        break;
      case '+':
        out->push_back({Token::kPlus, 0});
        break;
      case '|':
        out->push_back({Token::kPipe, 0});
        break;
      default:
        if (IsMeta(c)) return false;
        out->push_back({Token::kLiteral, c});  // includes UTF-8 bytes, '\n', ' ', '#'
    }
  }
  return true;
}

// Reads ".*" or ".+" at tokens[*i], advancing past it.
Wild ReadWild(const std::vector<Token>& tokens, size_t* i) {
  if (*i + 1 >= tokens.size() || tokens[*i].kind != Token::kDot) return Wild::kNone;
  Token::Kind k = tokens[*i + 1].kind;
  if (k != Token::kStar && k != Token::kPlus) return Wild::kNone;
  *i += 2;
  return k == Token::kStar ? Wild::kStar : Wild::kPlus;
}

}  // namespace

// The compiled form of a =~ / !~ matcher: a fast path when the regex has a
// simple shape, RE2 otherwise. Immutable once built.
struct Matcher::Compiled {
  enum class Shape : uint8_t { kRegex, kLiteralSet, kAffix };

  Shape shape = Shape::kRegex;
  // kLiteralSet: the distinct literals, in order of appearance ("abc" is a
  // set of one). Also what SetMatches returns.
  std::vector<std::string> set;
  absl::flat_hash_set<std::string_view> set_index;  // views into `set`; large sets only
  // kAffix: lead + literal + trail, where at least one of lead/trail is a
  // wildcard. With dot-all semantics ".*" is any string, ".+" any non-empty one.
  Wild lead = Wild::kNone;
  Wild trail = Wild::kNone;
  std::string literal;
  std::unique_ptr<RE2> re;  // kRegex only

  // Tries the fast paths; false when `regex` needs RE2.
  bool Analyze(std::string_view regex);
  bool Match(std::string_view s) const;
  bool MatchAffix(std::string_view s) const;
  bool MatchRegex(std::string_view s) const;
};

bool Matcher::Compiled::Analyze(std::string_view regex) {
  // RE2 rejects patterns that are not UTF-8; let it report that.
  if (!IsValidUtf8(regex)) return false;
  std::vector<Token> tokens;
  if (!Tokenize(regex, &tokens)) return false;

  bool has_pipe = false, all_literal_or_pipe = true;
  for (const Token& t : tokens) {
    has_pipe |= t.kind == Token::kPipe;
    all_literal_or_pipe &= t.kind == Token::kLiteral || t.kind == Token::kPipe;
  }
  if (all_literal_or_pipe) {
    // "abc", "a|b|c", "" and "a|" (which also matches "").
    absl::flat_hash_set<std::string> seen;
    std::string cur;
    for (size_t i = 0; i <= tokens.size(); ++i) {
      if (i == tokens.size() || tokens[i].kind == Token::kPipe) {
        if (seen.insert(cur).second) set.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(tokens[i].c);
      }
    }
    if (set.size() > kLinearSetMax) {
      set_index.reserve(set.size());
      for (const std::string& s : set) set_index.insert(s);
    }
    shape = Shape::kLiteralSet;
    return true;
  }
  if (has_pipe) return false;

  // [.* | .+] literal [.* | .+]
  size_t i = 0;
  lead = ReadWild(tokens, &i);
  while (i < tokens.size() && tokens[i].kind == Token::kLiteral) literal.push_back(tokens[i++].c);
  trail = ReadWild(tokens, &i);
  if (i != tokens.size() || (lead == Wild::kNone && trail == Wild::kNone)) {
    literal.clear();
    lead = trail = Wild::kNone;
    return false;
  }
  if (literal.empty() && lead != Wild::kNone && trail != Wild::kNone) {
    // ".+.+" needs two characters, which a byte count cannot tell apart
    // from one multi-byte character; leave it to RE2. The other pairs are
    // one wildcard.
    if (lead == Wild::kPlus && trail == Wild::kPlus) {
      lead = trail = Wild::kNone;
      return false;
    }
    lead = lead == Wild::kPlus || trail == Wild::kPlus ? Wild::kPlus : Wild::kStar;
    trail = Wild::kNone;
  }
  shape = Shape::kAffix;
  return true;
}

bool Matcher::Compiled::MatchAffix(std::string_view s) const {
  const size_t min_lead = lead == Wild::kPlus ? 1 : 0;
  const size_t min_trail = trail == Wild::kPlus ? 1 : 0;
  if (s.size() < min_lead + literal.size() + min_trail) return false;
  if (lead == Wild::kNone) return s.starts_with(literal);  // trail is a wildcard
  if (trail == Wild::kNone) return s.ends_with(literal);
  // Both wildcards: the literal must occur leaving room for them. Counting
  // bytes is right here: the literal is non-empty and starts a character, so
  // a non-empty prefix or suffix around it holds at least one character.
  return s.substr(min_lead, s.size() - min_lead - min_trail).find(literal) !=
         std::string_view::npos;
}

bool Matcher::Compiled::Match(std::string_view s) const {
  switch (shape) {
    case Shape::kLiteralSet:
      if (!set_index.empty()) return set_index.contains(s);
      for (const std::string& lit : set) {
        if (s == lit) return true;
      }
      return false;
    case Shape::kAffix:
      return MatchAffix(s);
    case Shape::kRegex:
      break;
  }
  return MatchRegex(s);
}

bool Matcher::Compiled::MatchRegex(std::string_view s) const {
  // RE2 does not match '.' or [^…] against bytes that are not UTF-8; Go's
  // regexp reads each such byte as U+FFFD and does. Feed RE2 what Go sees.
  // Label values are validated as UTF-8 on ingestion, so this copy is rare.
  if (!IsValidUtf8(s)) {
    std::string fixed = ReplaceInvalidUtf8(s);
    return re->Match(re2::StringPiece(fixed), 0, fixed.size(), RE2::ANCHOR_BOTH, nullptr, 0);
  }
  return re->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_BOTH, nullptr, 0);
}

absl::StatusOr<Matcher> Matcher::Create(MatchType type, std::string name, std::string value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  switch (type) {
    case MatchType::kEqual:
      m.matches_empty_ = m.value_.empty();
      return m;
    case MatchType::kNotEqual:
      m.matches_empty_ = !m.value_.empty();
      return m;
    case MatchType::kRegexMatch:
    case MatchType::kRegexNoMatch:
      break;
  }
  auto compiled = std::make_shared<Compiled>();
  if (!compiled->Analyze(m.value_)) {
    // Prometheus parses the regex with Go's DotNL flag and anchors it at both
    // ends; RE2's dot_nl and ANCHOR_BOTH are the same, without wrapping the
    // text (which would let "a)(b" compile).
    RE2::Options options;
    options.set_dot_nl(true);
    options.set_log_errors(false);
    options.set_max_mem(kRegexMaxMem);
    compiled->re =
        std::make_unique<RE2>(re2::StringPiece(m.value_.data(), m.value_.size()), options);
    if (!compiled->re->ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid regular expression ", GoQuote(m.value_), ": ", compiled->re->error()));
    }
  }
  bool empty_matches = compiled->Match("");
  m.matches_empty_ = type == MatchType::kRegexMatch ? empty_matches : !empty_matches;
  m.compiled_ = std::move(compiled);
  return m;
}

bool Matcher::Matches(std::string_view label_value) const {
  switch (type_) {
    case MatchType::kEqual:
      return label_value == value_;
    case MatchType::kNotEqual:
      return label_value != value_;
    case MatchType::kRegexMatch:
      return compiled_->Match(label_value);
    case MatchType::kRegexNoMatch:
      return !compiled_->Match(label_value);
  }
  return false;
}

const std::vector<std::string>& Matcher::SetMatches() const {
  static const auto* const kNone = new std::vector<std::string>();
  if (type_ != MatchType::kRegexMatch || compiled_->shape != Compiled::Shape::kLiteralSet) {
    return *kNone;
  }
  return compiled_->set;
}

std::string Matcher::ToString() const {
  std::string out;
  // Prometheus 3 quotes names that are not legacy label names: {"my.label"="x"}.
  if (IsLegacyLabelName(name_)) {
    out = name_;
  } else {
    AppendGoQuoted(&out, name_);
  }
  out.append(MatchTypeOperator(type_));
  AppendGoQuoted(&out, value_);
  return out;
}

std::string_view MatchTypeOperator(MatchType t) {
  switch (t) {
    case MatchType::kEqual:
      return "=";
    case MatchType::kNotEqual:
      return "!=";
    case MatchType::kRegexMatch:
      return "=~";
    case MatchType::kRegexNoMatch:
      return "!~";
  }
  return "=";
}

}  // namespace strata
