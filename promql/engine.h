// The PromQL engine: evaluates instant and range queries over a storage
// Querier, as Prometheus 3 does (promql/engine.go).
//
//   Engine engine(EngineOptions{});
//   auto r = engine.RangeQuery(db_queryable, "rate(x[5m])", start_ms, end_ms, step_ms, {});
//   if (!r.ok()) ... ErrorTypeOf(r.status()) ...
//
// Semantics fixed here: lookback delta (default 5m) for instant selectors,
// left-open windows (t - range, t] for range selectors and lookback, stale
// markers end a series, `@` and `offset`, subqueries aligned to absolute
// multiples of their step, delayed __name__ removal (Prometheus's
// EnableDelayedNameRemoval), experimental functions enabled.
//
// Errors (absl::Status codes; the HTTP layer maps them to Prometheus's
// errorType with ErrorTypeOf):
//   InvalidArgument    "bad_data"   parse and type errors, bad parameters
//   FailedPrecondition "execution"  evaluation errors ("vector cannot contain
//                                   metrics with the same labelset", …)
//   ResourceExhausted  "execution"  "query processing would load too many
//                                   samples into memory in query execution"
//   DeadlineExceeded   "timeout"    "query timed out in query execution"
//   Cancelled          "canceled"
//   anything else      "internal"   storage errors
//
// Thread safety: Engine is safe for concurrent queries; each query runs on
// the calling thread. The Queryable must be usable from those threads.
#ifndef STRATA_PROMQL_ENGINE_H_
#define STRATA_PROMQL_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "promql/value.h"
#include "tsdb/storage.h"

namespace strata::promql {

// Opens a read view over [mint, maxt] (inclusive, milliseconds). DB's
// NewQuerier fits: [&db](int64_t a, int64_t b) { return db.NewQuerier(a, b); }
using Queryable = std::function<std::unique_ptr<Querier>(int64_t mint, int64_t maxt)>;

struct EngineOptions {
  absl::Duration lookback_delta = absl::Minutes(5);
  absl::Duration timeout = absl::Minutes(2);
  // Most samples a query may hold in memory at once (points of all series of
  // the expression being evaluated), as Prometheus's --query.max-samples.
  int64_t max_samples = 50'000'000;
  // Most points per series a range query may return ((end-start)/step+1).
  int64_t max_points_per_series = 11'000;
  // Step of a subquery written without one (`x[5m:]`), given the range
  // query's step (or 0 for an instant query). Prometheus uses the global
  // evaluation interval, 1m by default.
  absl::Duration default_subquery_step = absl::Minutes(1);
};

// Per-query overrides (the API's lookback_delta and timeout parameters).
struct QueryOptions {
  absl::Duration lookback_delta = absl::ZeroDuration();  // zero: the engine's
  absl::Duration timeout = absl::ZeroDuration();         // zero: the engine's
  // Set from another thread to abandon the query (Cancelled).
  const std::atomic<bool>* cancel = nullptr;
};

struct QueryStats {
  int64_t total_queryable_samples = 0;  // samples read from storage
  int64_t peak_samples = 0;             // most samples held at once
  double exec_seconds = 0;
};

struct QueryResult {
  Value value;
  Annotations annotations;
  QueryStats stats;
};

class Engine {
 public:
  explicit Engine(EngineOptions options) : options_(options) {}

  // Evaluates `query` at `time_ms`.
  absl::StatusOr<QueryResult> InstantQuery(const Queryable& queryable, std::string_view query,
                                           int64_t time_ms, const QueryOptions& opts = {}) const;
  // Evaluates `query` at start, start+step, … ≤ end. The value is a Matrix.
  // REQUIRES (else InvalidArgument): step > 0, end >= start, and at most
  // max_points_per_series steps.
  absl::StatusOr<QueryResult> RangeQuery(const Queryable& queryable, std::string_view query,
                                         int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                         const QueryOptions& opts = {}) const;

  const EngineOptions& options() const { return options_; }

 private:
  absl::StatusOr<QueryResult> Exec(const Queryable& queryable, std::string_view query,
                                   int64_t start_ms, int64_t end_ms, int64_t step_ms, bool instant,
                                   const QueryOptions& opts) const;

  EngineOptions options_;
};

// Prometheus's errorType for a status returned by the engine: "bad_data",
// "execution", "timeout", "canceled" or "internal".
std::string_view ErrorTypeOf(const absl::Status& status);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_ENGINE_H_
