// Runs the query suite against one or more systems through their HTTP APIs
// and keeps every latency and the first answer of each.
//
// Per query: `warmup` untimed requests to each system (the first answer is
// the one compared), then `reps` timed rounds; a round asks every system
// once, alternating the order from round to round so that neither always
// goes first after the other's work. One keep-alive connection per system;
// requests are sequential. Latency is the client's wall time from sending
// the request to having read the whole body, uncompressed (no
// Accept-Encoding), so it includes JSON encoding and transfer as a
// dashboard sees them.
//
// Each system's first answer body is kept whole (bodies can be MBs; that is
// fine for a suite of ~30 queries) so that a run can be saved per system and
// compared later (saved_run.h).
#ifndef STRATA_BENCH_QUERYBENCH_RUNNER_H_
#define STRATA_BENCH_QUERYBENCH_RUNNER_H_

#include <chrono>
#include <string>
#include <vector>

#include "bench/loadgen/util.h"
#include "bench/querybench/compare.h"
#include "bench/querybench/suite.h"

namespace strata::querybench {

struct System {
  std::string name;
  loadgen::Url url;  // host and port; the path is ignored
};

struct RunOptions {
  int reps = 15;
  int warmup = 1;
  std::chrono::seconds timeout{120};
  Tolerance tolerance;
  bool progress = true;  // a line per query on stderr
};

struct SystemResult {
  std::vector<double> latencies_ms;  // the timed rounds that succeeded
  double median_ms = 0;
  double p90_ms = 0;      // nearest rank
  std::string failure;    // HTTP status or connection error, when a request failed
  std::string answer;     // the first answer's body, the one compared
  AnswerSummary summary;  // of `answer`
};

struct QueryResult {
  Query query;
  std::vector<SystemResult> systems;  // as in the systems argument
  // vs_first[i - 1] compares systems[0]'s answer with systems[i]'s.
  std::vector<Comparison> vs_first;
};

// Sets the fields that derive from latencies_ms and answer: the median (the
// mean of the middle two for an even count), the p90 (nearest rank), both 0
// without latencies, and the summary.
void DeriveStatistics(SystemResult* result);

// Sets result->vs_first by comparing systems[0]'s answer with each other
// system's; `systems` name them in the difference texts.
void CompareWithFirst(const std::vector<System>& systems, const Tolerance& tolerance,
                      QueryResult* result);

std::vector<QueryResult> RunSuite(const std::vector<Query>& suite,
                                  const std::vector<System>& systems, const RunOptions& options);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_RUNNER_H_
