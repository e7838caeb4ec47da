#include "api/query_api.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "api/parse_query_json.h"
#include "fmt/format.h"
#include "promql/parser.h"
#include "promql/prettier.h"
#include "promql/strconv.h"

namespace strata::api {
namespace {

ApiErrorType ErrorTypeFor(const absl::Status& s) {
  const std::string_view t = promql::ErrorTypeOf(s);
  if (t == "bad_data") return ApiErrorType::kBadData;
  if (t == "execution") return ApiErrorType::kExecution;
  if (t == "timeout") return ApiErrorType::kTimeout;
  if (t == "canceled") return ApiErrorType::kCanceled;
  return ApiErrorType::kInternal;
}

std::string InvalidParam(std::string_view name, const absl::Status& s) {
  return fmt::format("invalid parameter \"{}\": {}", name, StatusMessage(s));
}

void WriteMetric(const Labels& l, JsonWriter* w) {
  w->BeginObject();
  l.ForEach([&](Label p) {
    w->Key(p.name);
    w->String(p.value);
  });
  w->EndObject();
}

// Answers 400 (and returns true) when the request's form could not be
// parsed, with Prometheus's message.
bool RefusedForm(const ApiRequest& req, httplib::Response* res) {
  if (req.form_error.ok()) return false;
  RespondApiError(res, ApiErrorType::kBadData,
                  fmt::format("error parsing form values: {}", StatusMessage(req.form_error)));
  return true;
}

}  // namespace

absl::StatusOr<absl::Duration> ParsePromDuration(std::string_view s) {
  absl::StatusOr<double> seconds = promql::ParseNumber(s);
  if (seconds.ok() && !std::isnan(*seconds)) {
    const double ns = *seconds * 1e9;
    if (ns > 9.2233720368547758e18 || ns < -9.2233720368547758e18) {
      return absl::InvalidArgumentError(
          fmt::format("cannot parse \"{}\" to a valid duration. It overflows int64", s));
    }
    return absl::Nanoseconds(static_cast<int64_t>(ns));
  }
  absl::StatusOr<absl::Duration> d = promql::ParseDuration(s);
  if (d.ok()) return *d;
  return absl::InvalidArgumentError(fmt::format("cannot parse \"{}\" to a valid duration", s));
}

void WriteQueryData(const promql::Value& value, JsonWriter* w) {
  w->BeginObject();
  w->Key("resultType");
  if (const auto* v = std::get_if<promql::Vector>(&value)) {
    w->String("vector");
    w->Key("result");
    w->BeginArray();
    for (const promql::Sample& s : *v) {
      w->BeginObject();
      w->Key("metric");
      WriteMetric(s.metric, w);
      w->Key("value");
      w->Point(s.t, s.f);
      w->EndObject();
    }
    w->EndArray();
  } else if (const auto* m = std::get_if<promql::Matrix>(&value)) {
    // Reserve for the points (~30 bytes each) so the answer is not copied
    // over and over as it grows.
    size_t points = 0;
    for (const promql::Series& s : *m) points += s.floats.size();
    w->out()->reserve(w->out()->size() + points * 30 + m->size() * 128);
    w->String("matrix");
    w->Key("result");
    w->BeginArray();
    for (const promql::Series& s : *m) {
      w->BeginObject();
      w->Key("metric");
      WriteMetric(s.metric, w);
      w->Key("values");
      w->BeginArray();
      for (const promql::FPoint& p : s.floats) w->Point(p.t, p.f);
      w->EndArray();
      w->EndObject();
    }
    w->EndArray();
  } else if (const auto* sc = std::get_if<promql::Scalar>(&value)) {
    w->String("scalar");
    w->Key("result");
    w->Point(sc->t, sc->v);
  } else {
    const auto& str = std::get<promql::String>(value);
    w->String("string");
    w->Key("result");
    w->BeginArray();
    w->Timestamp(str.t);
    w->String(str.v);
    w->EndArray();
  }
  w->EndObject();
}

QueryApi::QueryApi(DB* db, const Clock* clock, QueryApiOptions options)
    : db_(db),
      clock_(clock),
      options_(options),
      engine_(options.engine),
      queryable_([db](int64_t mint, int64_t maxt) { return db->NewQuerier(mint, maxt); }) {}

absl::Status QueryApi::ParseCommon(const FormValues& form, promql::QueryOptions* opts) const {
  if (std::string_view t = form.Get("timeout"); !t.empty()) {
    absl::StatusOr<absl::Duration> d = ParsePromDuration(t);
    if (!d.ok()) return absl::InvalidArgumentError(InvalidParam("timeout", d.status()));
    opts->timeout = *d;
  }
  if (std::string_view l = form.Get("lookback_delta"); !l.empty()) {
    absl::StatusOr<absl::Duration> d = ParsePromDuration(l);
    if (!d.ok()) return absl::InvalidArgumentError(InvalidParam("lookback_delta", d.status()));
    opts->lookback_delta = *d;
  }
  return absl::OkStatus();
}

void QueryApi::Run(promql::QueryOptions* opts, bool stats, httplib::Response* res,
                   const std::function<absl::StatusOr<promql::QueryResult>()>& fn) {
  // The timeout covers the wait for a slot too, as in Prometheus.
  const absl::Duration timeout =
      opts->timeout > absl::ZeroDuration() ? opts->timeout : options_.engine.timeout;
  const absl::Time deadline = absl::Now() + timeout;
  {
    MutexLock lock(&mu_);
    queued_.fetch_add(1, std::memory_order_relaxed);
    while (in_flight_ >= options_.max_concurrency) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        queued_.fetch_sub(1, std::memory_order_relaxed);
        RespondApiError(res, ApiErrorType::kTimeout, "query timed out in query queue");
        return;
      }
      slot_freed_.WaitFor(&mu_, absl::ToChronoNanoseconds(left));
    }
    queued_.fetch_sub(1, std::memory_order_relaxed);
    ++in_flight_;
  }
  opts->timeout = std::max(deadline - absl::Now(), absl::Nanoseconds(1));
  running_.fetch_add(1, std::memory_order_relaxed);
  absl::StatusOr<promql::QueryResult> result = fn();
  running_.fetch_sub(1, std::memory_order_relaxed);
  queries_total_.fetch_add(1, std::memory_order_relaxed);
  if (!result.ok()) queries_failed_.fetch_add(1, std::memory_order_relaxed);
  if (result.ok()) {
    samples_total_.fetch_add(result->stats.total_queryable_samples, std::memory_order_relaxed);
  }
  {
    MutexLock lock(&mu_);
    --in_flight_;
  }
  slot_freed_.Signal();

  if (!result.ok()) {
    RespondApiError(res, ErrorTypeFor(result.status()), StatusMessage(result.status()));
    return;
  }
  ApiSuccess ok;
  JsonWriter& w = ok.data();
  WriteQueryData(result->value, &w);
  if (stats) {
    // Appended inside the data object, as Prometheus does.
    std::string* out = w.out();
    out->pop_back();  // the data object's '}'
    const promql::QueryStats& s = result->stats;
    out->append(
        fmt::format(",\"stats\":{{\"timings\":{{\"evalTotalTime\":{0},\"resultSortTime\":0,"
                    "\"queryPreparationTime\":0,\"innerEvalTime\":{0},\"execQueueTime\":0,"
                    "\"execTotalTime\":{0}}},\"samples\":{{\"totalQueryableSamples\":{1},"
                    "\"peakSamples\":{2}}}}}}}",
                    s.exec_seconds, s.total_queryable_samples, s.peak_samples));
  }
  ok.Send(res, result->annotations.warnings(), result->annotations.infos());
}

void QueryApi::Query(const ApiRequest& req, httplib::Response* res) {
  if (RefusedForm(req, res)) return;
  absl::StatusOr<int64_t> ts = ParseTimeParam(req.form, "time", clock_->NowMillis());
  if (!ts.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, StatusMessage(ts.status()));
    return;
  }
  promql::QueryOptions opts;
  if (absl::Status s = ParseCommon(req.form, &opts); !s.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, StatusMessage(s));
    return;
  }
  const std::string query(req.form.Get("query"));
  Run(&opts, req.form.Get("stats") == "all", res,
      [&] { return engine_.InstantQuery(queryable_, query, *ts, opts); });
}

void QueryApi::QueryRange(const ApiRequest& req, httplib::Response* res) {
  if (RefusedForm(req, res)) return;
  absl::StatusOr<int64_t> start = ParsePromTime(req.form.Get("start"));
  if (!start.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, InvalidParam("start", start.status()));
    return;
  }
  absl::StatusOr<int64_t> end = ParsePromTime(req.form.Get("end"));
  if (!end.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, InvalidParam("end", end.status()));
    return;
  }
  if (*end < *start) {
    RespondApiError(res, ApiErrorType::kBadData,
                    InvalidParam("end", absl::InvalidArgumentError(
                                            "end timestamp must not be before start time")));
    return;
  }
  absl::StatusOr<absl::Duration> step = ParsePromDuration(req.form.Get("step"));
  if (!step.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, InvalidParam("step", step.status()));
    return;
  }
  if (*step <= absl::ZeroDuration()) {
    RespondApiError(res, ApiErrorType::kBadData,
                    InvalidParam("step", absl::InvalidArgumentError(
                                             "zero or negative query resolution step widths are "
                                             "not accepted. Try a positive integer")));
    return;
  }
  const int64_t step_ms = absl::ToInt64Milliseconds(*step);
  if (step_ms <= 0 || (*end - *start) / step_ms > 11000) {
    RespondApiError(res, ApiErrorType::kBadData,
                    "exceeded maximum resolution of 11,000 points per timeseries. Try "
                    "decreasing the query resolution (?step=XX)");
    return;
  }
  promql::QueryOptions opts;
  if (absl::Status s = ParseCommon(req.form, &opts); !s.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, StatusMessage(s));
    return;
  }
  const std::string query(req.form.Get("query"));
  Run(&opts, req.form.Get("stats") == "all", res,
      [&] { return engine_.RangeQuery(queryable_, query, *start, *end, step_ms, opts); });
}

void QueryApi::FormatQuery(const ApiRequest& req, httplib::Response* res) {
  absl::StatusOr<std::unique_ptr<promql::Expr>> expr = promql::ParseExpr(req.form.Get("query"));
  if (!expr.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, StatusMessage(expr.status()));
    return;
  }
  ApiSuccess ok;
  ok.data().String(promql::Prettify(**expr));
  ok.Send(res);
}

void QueryApi::ParseQuery(const ApiRequest& req, httplib::Response* res) {
  absl::StatusOr<std::unique_ptr<promql::Expr>> expr = promql::ParseExpr(req.form.Get("query"));
  if (!expr.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, StatusMessage(expr.status()));
    return;
  }
  ApiSuccess ok;
  WriteParseQueryJson(**expr, &ok.data());
  ok.Send(res);
}

}  // namespace strata::api
