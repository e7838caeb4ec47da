// Runs PromQL test scripts (Prometheus's promqltest format) against Strata's
// engine, as Prometheus's promqltest/test.go runs them against its own:
// every instant eval is also run with its selectors pinned by `@` at other
// evaluation times and once as a range query around the eval time; results,
// errors and annotations are compared as test.go compares them.
//
// Unlike test.go, a failing eval does not stop the script: each eval gets its
// own outcome. An eval is skipped, not failed, only when it needs native
// histograms, which Strata does not store: when it expects histogram points
// or its query selects a series that holds them.
//
//   Runner runner;
//   FileResult r = runner.RunFile("../shared/promqltest/functions.test");
//
// Thread safety: a Runner runs one script at a time.
#ifndef STRATA_TESTS_PROMQL_PROMQLTEST_RUNNER_H_
#define STRATA_TESTS_PROMQL_PROMQLTEST_RUNNER_H_

#include <string>
#include <string_view>
#include <vector>

#include "promql/engine.h"
#include "tests/promql/promqltest/script.h"
#include "tests/promql/promqltest/storage.h"

namespace strata::promqltest {

// The options of Prometheus's test engine (promqltest.NewTestEngine with
// lookback 0 and DefaultMaxSamplesPerQuery): lookback 5m, at most 10000
// samples per query, 100s timeout, 1m default subquery step.
promql::EngineOptions TestEngineOptions();

struct EvalOutcome {
  enum class Kind { kPassed, kFailed, kSkipped };
  Kind kind = Kind::kPassed;
  int line = 0;         // 1-based line of the command
  std::string query;    // the eval's expression ("" for load/clear/parse errors)
  std::string message;  // why it failed or was skipped
};

struct FileResult {
  std::string file;  // as given
  std::vector<EvalOutcome> outcomes;
  int Count(EvalOutcome::Kind k) const;
};

class Runner {
 public:
  explicit Runner(promql::EngineOptions options = TestEngineOptions()) : engine_(options) {}

  // Reads and runs one script. A file that cannot be read or parsed gives
  // one failed outcome.
  FileResult RunFile(const std::string& path);
  // Runs script `text`; `name` labels the result.
  FileResult RunScript(std::string_view name, std::string_view text);

 private:
  EvalOutcome RunEval(const EvalCmd& cmd);
  absl::Status RunRangeEval(const EvalCmd& cmd);
  absl::Status RunInstantEval(const EvalCmd& cmd);
  absl::Status RunInstantQuery(const EvalCmd& cmd, const std::string& expr, int64_t eval_ms);
  absl::Status CheckRangeMode(const EvalCmd& cmd, const std::string& expr, int64_t eval_ms,
                              const promql::Value& instant_value);

  promql::Engine engine_;
  TestStorage storage_;
};

}  // namespace strata::promqltest

#endif  // STRATA_TESTS_PROMQL_PROMQLTEST_RUNNER_H_
