// OpenMetricsParser's line grammar: comments (# HELP / TYPE / UNIT / EOF) and
// sample lines. See tools/openmetrics.h for what is accepted.
#include <algorithm>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "tools/openmetrics.h"
#include "tsdb/base/status_macros.h"

namespace strata::tools {
namespace {

// Debian's Abseil: absl::string_view is not std::string_view.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c, bool metric) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':');
}

// A position in one line plus the error helpers that name it.
class Cursor {
 public:
  Cursor(std::string_view line, uint64_t line_no, std::string* arena)
      : s_(line), line_no_(line_no), arena_(arena) {
    arena_->clear();
    // Unescaped text is never longer than its source, so views into the
    // arena stay valid for the whole line: no reallocation after this.
    arena_->reserve(line.size());
  }

  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool Consume(char c) {
    if (peek() != c || done()) return false;
    ++i_;
    return true;
  }
  size_t pos() const { return i_; }

  absl::Status Error(std::string_view what) const { return ErrorAt(i_, what); }
  absl::Status ErrorAt(size_t at, std::string_view what) const {
    std::string msg = absl::StrCat("line ", line_no_, ", column ", at + 1, ": ", Sv(what));
    if (at < s_.size()) {
      absl::StrAppend(&msg, ", got '", Sv(s_.substr(at, 1)), "'");
    } else {
      absl::StrAppend(&msg, ", got end of line");
    }
    return absl::InvalidArgumentError(msg);
  }
  absl::Status Plain(size_t at, std::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line_no_, ", column ", at + 1, ": ", Sv(what)));
  }

  // A legacy name ([a-zA-Z_:][a-zA-Z0-9_:]* for metrics, no ':' for labels);
  // empty if none starts here.
  std::string_view Name(bool metric) {
    size_t start = i_;
    if (done() || !IsNameStart(s_[i_], metric)) return {};
    while (!done() && (IsNameStart(s_[i_], metric) || IsDigit(s_[i_]))) ++i_;
    return s_.substr(start, i_ - start);
  }

  // A double-quoted string starting at the cursor, escapes decoded: \\ \"
  // \n; other pairs are kept as written. Requires valid UTF-8.
  absl::Status Quoted(std::string_view* out) {
    const size_t start = i_;
    if (!Consume('"')) return Error("expected '\"'");
    size_t body = i_;
    bool escaped = false;
    while (!done() && s_[i_] != '"') {
      if (s_[i_] == '\\') {
        escaped = true;
        ++i_;
        if (done()) break;
      }
      ++i_;
    }
    if (done()) return Plain(start, "unterminated quoted string");
    std::string_view raw = s_.substr(body, i_ - body);
    ++i_;  // closing quote
    *out = escaped ? Unescape(raw) : raw;
    if (!IsValidUtf8(*out)) return Plain(start, "invalid UTF-8 in quoted string");
    return absl::OkStatus();
  }

  // `raw` with \\ \" \n decoded; other backslash pairs are kept as written.
  // The result lives in the line's arena.
  std::string_view Unescape(std::string_view raw) {
    const size_t from = arena_->size();
    for (size_t k = 0; k < raw.size(); ++k) {
      char c = raw[k];
      if (c == '\\' && k + 1 < raw.size()) {
        char n = raw[k + 1];
        if (n == '\\' || n == '"' || n == 'n') {
          arena_->push_back(n == 'n' ? '\n' : n);
          ++k;
          continue;
        }
      }
      arena_->push_back(c);
    }
    return std::string_view(arena_->data() + from, arena_->size() - from);
  }

  void Skip(size_t n) { i_ = std::min(s_.size(), i_ + n); }

  // The bytes up to the next ' ' or the end of the line.
  std::string_view Token() {
    size_t start = i_;
    while (!done() && s_[i_] != ' ') ++i_;
    return s_.substr(start, i_ - start);
  }
  std::string_view Rest() {
    std::string_view r = s_.substr(i_);
    i_ = s_.size();
    return r;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
  uint64_t line_no_;
  std::string* arena_;
};

bool ParseMetricType(std::string_view s, MetricType* t) {
  static constexpr MetricType kAll[] = {
      MetricType::kUnknown,        MetricType::kCounter, MetricType::kGauge, MetricType::kHistogram,
      MetricType::kGaugeHistogram, MetricType::kSummary, MetricType::kInfo,  MetricType::kStateset};
  for (MetricType m : kAll) {
    if (MetricTypeName(m) == s) {
      *t = m;
      return true;
    }
  }
  return false;
}

// Parses "{...}" after the '{'. Label pairs go to *labels; a lone quoted
// string is the metric name (not allowed in exemplars).
absl::Status ParseLabels(Cursor* c, bool exemplar, std::string_view* metric,
                         std::vector<Label>* labels) {
  while (true) {
    if (c->Consume('}')) return absl::OkStatus();
    const size_t at = c->pos();
    std::string_view name;
    bool quoted = c->peek() == '"';
    if (quoted) {
      RETURN_IF_ERROR(c->Quoted(&name));
    } else {
      name = c->Name(false);
      if (name.empty()) return c->Error("expected label name");
    }
    if (quoted && !exemplar && (c->peek() == ',' || c->peek() == '}' || c->done())) {
      if (!metric->empty()) return c->Plain(at, "metric name given twice");
      if (name.empty()) return c->Plain(at, "empty metric name");
      *metric = name;
    } else {
      if (name.empty()) return c->Plain(at, "empty label name");
      if (!c->Consume('=')) return c->Error("expected '=' after label name");
      if (c->peek() != '"') return c->Error("expected quoted label value after '='");
      std::string_view value;
      RETURN_IF_ERROR(c->Quoted(&value));
      labels->push_back({name, value});
    }
    if (c->Consume(',')) continue;  // a trailing comma is allowed
    if (c->peek() != '}') return c->Error("expected ',' or '}' after label");
  }
}

// Checks an exemplar after the timestamp: " # {labels} value [timestamp]".
// Import has no use for it, so it is only validated.
absl::Status SkipExemplar(Cursor* c, std::vector<Label>* scratch) {
  if (!c->Consume(' ') || !c->Consume('#') || !c->Consume(' ') || !c->Consume('{')) {
    return c->Error("expected end of line or ' # {' (an exemplar) after the timestamp");
  }
  scratch->clear();
  std::string_view unused;
  RETURN_IF_ERROR(ParseLabels(c, true, &unused, scratch));
  if (!c->Consume(' ')) return c->Error("expected ' ' and value after exemplar labels");
  size_t at = c->pos();
  std::string_view v = c->Token();
  double d;
  if (!ParseGoFloat(v, &d))
    return c->Plain(at, absl::StrCat("invalid exemplar value \"", Sv(v), "\""));
  if (c->Consume(' ')) {
    at = c->pos();
    int64_t t;
    std::string err = ParseTimestampSeconds(c->Token(), &t);
    if (!err.empty()) return c->Plain(at, absl::StrCat("exemplar: ", err));
  }
  if (!c->done()) return c->Error("expected end of line after exemplar");
  return absl::OkStatus();
}

}  // namespace

absl::Status OpenMetricsParser::ParseComment(std::string_view line) {
  if (line == "# EOF") {
    eof_ = true;
    return absl::OkStatus();
  }
  Cursor c(line, line_, &arena_);
  MetadataKind kind;
  std::string_view keyword = line.substr(0, 7);
  if (keyword == "# HELP ") {
    kind = MetadataKind::kHelp;
  } else if (keyword == "# TYPE ") {
    kind = MetadataKind::kType;
  } else if (keyword == "# UNIT ") {
    kind = MetadataKind::kUnit;
  } else {
    return c.Plain(0, "invalid comment: OpenMetrics allows only # HELP, # TYPE, # UNIT and # EOF");
  }
  c.Skip(7);
  OmMetadata m;
  m.kind = kind;
  m.line = line_;
  if (c.peek() == '"') {
    RETURN_IF_ERROR(c.Quoted(&m.family));
  } else {
    m.family = c.Name(true);
    if (m.family.empty()) return c.Error("expected metric name");
  }
  if (!c.Consume(' ')) return c.Error("expected ' ' and text after the metric name");
  const size_t text_at = c.pos();
  std::string_view text = c.Rest();
  if (kind == MetadataKind::kType) {
    if (!ParseMetricType(text, &m.type)) {
      return c.Plain(text_at, absl::StrCat("invalid metric type \"", Sv(text), "\""));
    }
  } else if (kind == MetadataKind::kHelp) {
    m.text = text.find('\\') == std::string_view::npos ? text : c.Unescape(text);
    if (!IsValidUtf8(m.text)) return c.Plain(text_at, "help text is not valid UTF-8");
  } else {
    m.text = text;
    const std::string_view f = m.family;
    if (!text.empty() && (f.size() < text.size() + 1 || f.substr(f.size() - text.size()) != text ||
                          f[f.size() - text.size() - 1] != '_')) {
      return c.Plain(text_at, absl::StrCat("unit \"", Sv(text), "\" is not a suffix of metric \"",
                                           Sv(f), "\""));
    }
  }
  if (kind == MetadataKind::kType) m.text = text;
  if (!callbacks_.metadata) return absl::OkStatus();
  return AnnotateStatus(callbacks_.metadata(m), absl::StrCat("line ", line_));
}

absl::Status OpenMetricsParser::ParseSample(std::string_view line) {
  Cursor c(line, line_, &arena_);
  std::string_view metric = c.Name(true);
  labels_.clear();
  if (metric.empty() && c.peek() != '{') return c.Error("expected metric name or '{'");
  if (c.Consume('{')) RETURN_IF_ERROR(ParseLabels(&c, false, &metric, &labels_));
  if (metric.empty()) return c.Plain(0, "metric name not set");
  if (!c.Consume(' ')) return c.Error("expected ' ' and value after metric");
  OmSample s;
  s.line = line_;
  size_t at = c.pos();
  std::string_view value = c.Token();
  if (!ParseGoFloat(value, &s.value)) {
    return c.Plain(at, absl::StrCat("invalid value \"", Sv(value), "\""));
  }
  if (!c.Consume(' ') || c.peek() == '#') {
    return c.Plain(c.pos(),
                   "expected timestamp after value, got none (import needs one per sample)");
  }
  at = c.pos();
  std::string_view ts = c.Token();
  if (std::string err = ParseTimestampSeconds(ts, &s.t_ms); !err.empty()) return c.Plain(at, err);
  if (!c.done()) RETURN_IF_ERROR(SkipExemplar(&c, &exemplar_labels_));

  labels_.push_back({kMetricNameLabel, metric});
  std::sort(labels_.begin(), labels_.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  for (size_t i = 1; i < labels_.size(); ++i) {
    if (labels_[i].name == labels_[i - 1].name) {
      return c.Plain(0, absl::StrCat("duplicate label name \"", Sv(labels_[i].name), "\""));
    }
  }
  labels_.erase(std::remove_if(labels_.begin(), labels_.end(),
                               [](const Label& l) { return l.value.empty(); }),
                labels_.end());
  s.labels = labels_;
  return AnnotateStatus(callbacks_.sample(s), absl::StrCat("line ", line_));
}

}  // namespace strata::tools
