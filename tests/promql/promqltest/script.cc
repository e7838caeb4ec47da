// The command level of the PromQL test-script parser: load, clear, eval and
// the lines that follow an eval, as promqltest/test.go reads them (its regular
// expressions are used verbatim here through RE2, which shares Go's syntax).
#include "tests/promql/promqltest/script.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "promql/strconv.h"
#include "tests/promql/promqltest/text_util.h"

namespace strata::promqltest {
namespace {

constexpr std::string_view kRangeVectorPrefix = "expect range vector";
constexpr std::string_view kExpectStringPrefix = "expect string";

const RE2& PatLoad() {
  static const RE2 re(R"(^load(?:_(with_nhcb))?\s+(.+?)$)");
  return re;
}
const RE2& PatEvalInstant() {
  static const RE2 re(R"(^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)");
  return re;
}
const RE2& PatEvalRange() {
  static const RE2 re(
      R"(^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$)");
  return re;
}
const RE2& PatExpect() {
  static const RE2 re(
      R"(^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$)");
  return re;
}
const RE2& PatExpectRange() {
  static const RE2 re(R"(^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$)");
  return re;
}
std::shared_ptr<const RE2> MatchAny() {
  static const auto* re = new std::shared_ptr<const RE2>(std::make_shared<RE2>("^.*$"));
  return *re;
}

absl::Status LineError(int index, std::string_view msg) {
  return absl::InvalidArgumentError(Cat("line ", index + 1, ": ", msg));
}

absl::StatusOr<std::shared_ptr<const RE2>> CompileRegex(std::string_view pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<RE2>(pattern, opts);
  if (!re->ok()) {
    return absl::InvalidArgumentError(Cat("invalid regex ", pattern, ": ", re->error()));
  }
  return std::shared_ptr<const RE2>(std::move(re));
}

absl::StatusOr<int64_t> DurationMs(std::string_view s) {
  absl::StatusOr<absl::Duration> d = promql::ParseDuration(s);
  if (!d.ok()) return d.status();
  return absl::ToInt64Milliseconds(*d);
}

// test.go's getLines: trimmed, comment lines blanked.
std::vector<std::string> GetLines(std::string_view input) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= input.size()) {
    size_t nl = input.find('\n', start);
    if (nl == std::string_view::npos) nl = input.size();
    std::string_view l = Trim(input.substr(start, nl - start));
    lines.emplace_back(l.starts_with("#") ? std::string_view() : l);
    start = nl + 1;
  }
  return lines;
}

// A start-timestamp line: the first field ends with "@st".
bool IsStartTimestampLine(std::string_view line) {
  size_t space = line.find_first_of(" \t");
  return space != std::string_view::npos && line.substr(0, space).ends_with("@st");
}

void SetSeries(LoadCmd* cmd, SeriesDesc desc) {
  for (SeriesDesc& s : cmd->series) {
    if (s.metric == desc.metric) {
      s = std::move(desc);
      return;
    }
  }
  cmd->series.push_back(std::move(desc));
}

absl::StatusOr<LoadCmd> ParseLoad(const std::vector<std::string>& lines, size_t* i) {
  std::string nhcb, step;
  if (!RE2::FullMatch(lines[*i], PatLoad(), &nhcb, &step)) {
    return LineError(*i, "invalid load command. (load[_with_nhcb] <step:duration>)");
  }
  LoadCmd cmd;
  cmd.line = static_cast<int>(*i) + 1;
  cmd.with_nhcb = nhcb == "with_nhcb";
  absl::StatusOr<int64_t> gap = DurationMs(step);
  if (!gap.ok()) {
    return LineError(*i, Cat("invalid step definition \"", step, "\": ", gap.status().message()));
  }
  cmd.interval_ms = *gap;
  while (*i + 1 < lines.size() && !lines[*i + 1].empty()) {
    ++*i;
    if (IsStartTimestampLine(lines[*i])) {
      cmd.has_start_timestamps = true;
      continue;
    }
    absl::StatusOr<SeriesDesc> desc = ParseSeriesDesc(lines[*i]);
    if (!desc.ok()) return LineError(*i, Message(desc.status()));
    SetSeries(&cmd, std::move(*desc));
  }
  return cmd;
}

absl::Status ParseExpectLine(std::string_view line, EvalCmd* cmd) {
  std::string mode, kind, arg;
  if (!RE2::FullMatch(Trim(line), PatExpect(), &mode, &kind, &arg)) {
    return absl::InvalidArgumentError(
        "invalid expect statement, must match `expect <type> <match_type>: <string>` format");
  }
  static constexpr std::pair<std::string_view, ExpectKind> kKinds[] = {
      {"ordered", ExpectKind::kOrdered}, {"fail", ExpectKind::kFail},
      {"warn", ExpectKind::kWarn},       {"no_warn", ExpectKind::kNoWarn},
      {"info", ExpectKind::kInfo},       {"no_info", ExpectKind::kNoInfo}};
  ExpectKind k = ExpectKind::kOrdered;
  for (const auto& [name, kk] : kKinds) {
    if (name == mode) k = kk;
  }
  Expectation e;
  if (kind == "msg") {
    e.message = std::string(Trim(arg));
  } else if (kind == "regex") {
    absl::StatusOr<std::shared_ptr<const RE2>> re = CompileRegex(Trim(arg));
    if (!re.ok()) return re.status();
    e.regex = *re;
  } else {
    e.regex = MatchAny();
  }
  cmd->expects[static_cast<int>(k)].push_back(std::move(e));
  const auto count = [&](ExpectKind x) { return cmd->Expects(x).size(); };
  if (count(ExpectKind::kInfo) > 0 && count(ExpectKind::kNoInfo) > 0) {
    return absl::InvalidArgumentError(
        "invalid expect lines, info and no_info cannot be used together");
  }
  if (count(ExpectKind::kWarn) > 0 && count(ExpectKind::kNoWarn) > 0) {
    return absl::InvalidArgumentError(
        "invalid expect lines, warn and no_warn cannot be used together");
  }
  if (count(ExpectKind::kFail) > 1) {
    return absl::InvalidArgumentError(
        "invalid expect lines, multiple expect fail lines are not allowed");
  }
  return absl::OkStatus();
}

// from/to/step as test.go's parseDurations checks them.
absl::Status ParseRangeTimes(const std::string& from, const std::string& to,
                             const std::string& step, int64_t* start, int64_t* end,
                             int64_t* step_ms) {
  absl::StatusOr<int64_t> f = DurationMs(from);
  if (!f.ok())
    return absl::InvalidArgumentError(
        Cat("invalid start timestamp definition \"", from, "\": ", f.status().message()));
  absl::StatusOr<int64_t> t = DurationMs(to);
  if (!t.ok())
    return absl::InvalidArgumentError(
        Cat("invalid end timestamp definition \"", to, "\": ", t.status().message()));
  if (*t < *f) {
    return absl::InvalidArgumentError(Cat("invalid test definition, end timestamp (", to,
                                          ") is before start timestamp (", from, ")"));
  }
  absl::StatusOr<int64_t> s = DurationMs(step);
  if (!s.ok())
    return absl::InvalidArgumentError(
        Cat("invalid step definition \"", step, "\": ", s.status().message()));
  *start = *f;
  *end = *t;
  *step_ms = *s;
  return absl::OkStatus();
}

// The eval line itself: kind, times, modifier and expression.
absl::StatusOr<EvalCmd> ParseEvalHeader(const std::string& line, size_t index) {
  EvalCmd cmd;
  cmd.line = static_cast<int>(index) + 1;
  std::string mod, at, from, to, step;
  if (RE2::FullMatch(line, PatEvalInstant(), &mod, &at, &cmd.expr)) {
    absl::StatusOr<int64_t> t = DurationMs(at);
    if (!t.ok()) {
      return LineError(index,
                       Cat("invalid timestamp definition \"", at, "\": ", t.status().message()));
    }
    cmd.start_ms = cmd.eval_ms = *t;
  } else if (RE2::FullMatch(line, PatEvalRange(), &mod, &from, &to, &step, &cmd.expr)) {
    cmd.is_range = true;
    absl::Status s = ParseRangeTimes(from, to, step, &cmd.start_ms, &cmd.end_ms, &cmd.step_ms);
    if (!s.ok()) return LineError(index, Message(s));
  } else {
    return LineError(index,
                     "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered] "
                     "instant [at <offset:duration>] <query>' or 'eval[_fail|_warn] range from "
                     "<from> to <to> step <step> <query>'");
  }
  cmd.ordered = mod == "ordered";
  cmd.fail = mod == "fail";
  cmd.warn = mod == "warn";
  cmd.info = mod == "info";
  return cmd;
}

enum class LineResult { kContinue, kStop };

// One line after an eval. `j` numbers the result lines as test.go does.
absl::StatusOr<LineResult> ParseEvalLine(const std::string& line, int* j, EvalCmd* cmd) {
  if (cmd->fail && line.starts_with("expected_fail_message")) {
    cmd->expected_fail_message = Trim(line.substr(21));
    return LineResult::kStop;
  }
  if (cmd->fail && line.starts_with("expected_fail_regexp")) {
    absl::StatusOr<std::shared_ptr<const RE2>> re = CompileRegex(Trim(line.substr(20)));
    if (!re.ok()) return re.status();
    cmd->expected_fail_regexp = *re;
    return LineResult::kStop;
  }
  if (line.starts_with(kRangeVectorPrefix)) {
    std::string from, to, step;
    if (!RE2::FullMatch(line, PatExpectRange(), &from, &to, &step)) {
      return absl::InvalidArgumentError(Cat("invalid range vector definition \"", line, "\""));
    }
    absl::Status s = ParseRangeTimes(from, to, step, &cmd->start_ms, &cmd->end_ms, &cmd->step_ms);
    if (!s.ok()) return s;
    cmd->expect_range_vector = true;
    cmd->eval_ms = cmd->end_ms;
    cmd->exclude_from_range_query = true;
    return LineResult::kContinue;
  }
  if (line.starts_with(kExpectStringPrefix)) {
    std::string_view lit = std::string_view(line).substr(kExpectStringPrefix.size());
    if (!lit.starts_with(" ") || lit.size() < 2) {
      return absl::InvalidArgumentError(
          "expected string literal not valid - a quoted string literal is required");
    }
    absl::StatusOr<std::string> s = promql::Unquote(lit.substr(1));
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          "expected string literal not valid - check that the string is correctly quoted");
    }
    cmd->expected_string = *s;
    cmd->exclude_from_range_query = true;
    return LineResult::kContinue;
  }
  // A metric named `expect` can still be written as `expect{}`.
  if (std::string_view(line).substr(0, line.find(' ')) == "expect") {
    if (absl::Status s = ParseExpectLine(line, cmd); !s.ok()) return s;
    --*j;
    return LineResult::kContinue;
  }
  if (absl::StatusOr<double> f = ParseScriptNumber(line); f.ok()) {
    cmd->expect_scalar = true;
    cmd->expected.assign(1, ExpectedSeries{Labels(), {SequenceValue{*f}}, 0});
    return LineResult::kStop;
  }
  absl::StatusOr<SeriesDesc> desc = ParseSeriesDesc(line);
  if (!desc.ok()) return desc.status();
  if (desc->values.size() > 1 && !cmd->is_range && !cmd->expect_range_vector) {
    return absl::InvalidArgumentError(
        "expecting multiple values in instant evaluation not allowed. consider using 'expect "
        "range vector' directive to enable a range vector result for an instant query");
  }
  cmd->expect_scalar = false;
  for (ExpectedSeries& e : cmd->expected) {
    if (e.metric == desc->metric) {
      e = ExpectedSeries{std::move(desc->metric), std::move(desc->values), *j};
      return LineResult::kContinue;
    }
  }
  cmd->expected.push_back(ExpectedSeries{std::move(desc->metric), std::move(desc->values), *j});
  return LineResult::kContinue;
}

absl::StatusOr<EvalCmd> ParseEval(const std::vector<std::string>& lines, size_t* i) {
  absl::StatusOr<EvalCmd> cmd = ParseEvalHeader(lines[*i], *i);
  if (!cmd.ok()) return cmd.status();
  for (int j = 1; *i + 1 < lines.size() && !lines[*i + 1].empty(); ++j) {
    ++*i;
    absl::StatusOr<LineResult> r = ParseEvalLine(lines[*i], &j, &*cmd);
    if (!r.ok()) {
      return LineError(
          *i, Cat("error in eval ", cmd->expr, " (line ", cmd->line, "): ", r.status().message()));
    }
    if (*r == LineResult::kStop) break;
  }
  // A scalar line replaces earlier series lines, as test.go's map entry 0.
  if (cmd->expect_scalar && cmd->expected.size() > 1) {
    cmd->expected.erase(cmd->expected.begin(), cmd->expected.end() - 1);
  }
  return cmd;
}

}  // namespace

bool Expectation::Matches(std::string_view text) const {
  if (regex == nullptr) return message == text;
  return RE2::PartialMatch(text, *regex);
}

std::string Expectation::Describe() const {
  if (regex == nullptr) return Cat("message \"", message, "\"");
  return Cat("pattern \"", regex->pattern(), "\"");
}

bool EvalCmd::ExpectsHistogram() const {
  for (const ExpectedSeries& e : expected) {
    for (const SequenceValue& v : e.values) {
      if (v.histogram) return true;
    }
  }
  return false;
}

absl::StatusOr<Script> ParseScript(std::string_view text) {
  const std::vector<std::string> lines = GetLines(text);
  Script script;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty()) continue;
    std::string c = absl::AsciiStrToLower(l.substr(0, l.find_first_of(" \t")));
    if (c == "clear") {
      script.commands.push_back(ClearCmd{static_cast<int>(i) + 1});
    } else if (c.starts_with("load")) {
      absl::StatusOr<LoadCmd> cmd = ParseLoad(lines, &i);
      if (!cmd.ok()) return cmd.status();
      script.commands.push_back(std::move(*cmd));
    } else if (c.starts_with("eval")) {
      absl::StatusOr<EvalCmd> cmd = ParseEval(lines, &i);
      if (!cmd.ok()) return cmd.status();
      script.commands.push_back(std::move(*cmd));
    } else {
      return LineError(i, Cat("invalid command \"", l, "\""));
    }
  }
  return script;
}

}  // namespace strata::promqltest
