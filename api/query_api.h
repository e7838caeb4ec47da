// The PromQL endpoints of Prometheus's HTTP API: /api/v1/query,
// /api/v1/query_range, /api/v1/format_query and /api/v1/parse_query, with
// Prometheus 3's parameters, JSON shapes and error texts:
//   query        query (required), time (default: now), timeout,
//                lookback_delta, stats=all
//   query_range  query, start, end, step (required), timeout,
//                lookback_delta, stats=all
// Times are Unix seconds with a fraction or RFC 3339; durations are seconds
// ("15", "0.5") or Prometheus durations ("1m30s"). Errors use Prometheus's
// envelope and codes: bad_data 400, execution 422, canceled 499, timeout
// 503, internal 500. Warnings and infos from the engine are returned in
// the top-level "warnings" and "infos" arrays.
//
// At most `max_concurrency` queries evaluate at once; more wait for a slot
// (their timeout keeps running while they wait, as in Prometheus).
//
// Thread safety: handlers may run concurrently. Lifetime: `db` and `clock`
// must outlive the object.
#ifndef STRATA_API_QUERY_API_H_
#define STRATA_API_QUERY_API_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/http_util.h"
#include "httplib.h"
#include "promql/engine.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mutex.h"
#include "tsdb/db.h"

namespace strata::api {

struct QueryApiOptions {
  promql::EngineOptions engine;
  int max_concurrency = 20;
};

// Parses a Prometheus API duration parameter value: float seconds or a
// Prometheus duration. Errors: `cannot parse "x" to a valid duration`.
absl::StatusOr<absl::Duration> ParsePromDuration(std::string_view s);

// Writes `value` as Prometheus's {"resultType":…,"result":…} object.
void WriteQueryData(const promql::Value& value, JsonWriter* w);

class QueryApi {
 public:
  QueryApi(DB* db, const Clock* clock, QueryApiOptions options);

  void Query(const ApiRequest& req, httplib::Response* res);
  void QueryRange(const ApiRequest& req, httplib::Response* res);
  void FormatQuery(const ApiRequest& req, httplib::Response* res);
  void ParseQuery(const ApiRequest& req, httplib::Response* res);

  // Queries evaluating now, and waiting for a slot (for /metrics).
  int64_t running() const { return running_.load(std::memory_order_relaxed); }
  int64_t queued() const { return queued_.load(std::memory_order_relaxed); }
  // Queries evaluated (and how many failed) and samples they read, since
  // start.
  int64_t queries_total() const { return queries_total_.load(std::memory_order_relaxed); }
  int64_t queries_failed() const { return queries_failed_.load(std::memory_order_relaxed); }
  int64_t samples_total() const { return samples_total_.load(std::memory_order_relaxed); }

 private:
  // Parses the parameters shared by both endpoints into `opts`.
  absl::Status ParseCommon(const FormValues& form, promql::QueryOptions* opts) const;
  // Runs `fn` once a concurrency slot is free, then answers from its result.
  // Sets opts->timeout to what is left of the query's timeout after the
  // wait (`fn` reads it).
  void Run(promql::QueryOptions* opts, bool stats, httplib::Response* res,
           const std::function<absl::StatusOr<promql::QueryResult>()>& fn);

  DB* const db_;
  const Clock* const clock_;
  const QueryApiOptions options_;
  const promql::Engine engine_;
  const promql::Queryable queryable_;

  Mutex mu_;
  CondVar slot_freed_;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int64_t> running_{0};
  std::atomic<int64_t> queued_{0};
  std::atomic<int64_t> queries_total_{0};
  std::atomic<int64_t> queries_failed_{0};
  std::atomic<int64_t> samples_total_{0};
};

}  // namespace strata::api

#endif  // STRATA_API_QUERY_API_H_
