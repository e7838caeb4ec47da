#include "api/metadata_api.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <set>

#include "fmt/format.h"
#include "promql/parser.h"
#include "tsdb/head/head_stats.h"
#include "tsdb/labels/labels.h"

#ifndef STRATA_VERSION
#define STRATA_VERSION "0.1.0"
#endif
#ifndef STRATA_REVISION
#define STRATA_REVISION "unknown"
#endif
#ifndef STRATA_BRANCH
#define STRATA_BRANCH "unknown"
#endif
#ifndef STRATA_BUILD_USER
#define STRATA_BUILD_USER "unknown"
#endif

namespace strata::api {
namespace {

constexpr std::string_view kTruncated = "results truncated due to limit";

// __DATE__ ("Nov 22 2025") and __TIME__ ("13:06:00") as Prometheus's build
// date format, "20251122-13:06:00".
std::string CompileDate() {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  std::string_view date = __DATE__;
  size_t month = kMonths.find(date.substr(0, 3)) / 3 + 1;
  std::string day(date.substr(4, 2));
  if (day[0] == ' ') day[0] = '0';
  return fmt::format("{}{:02}{}-{}", date.substr(7, 4), month, day, __TIME__);
}

std::string CompilerVersion() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

void WriteLabels(JsonWriter& w, const Labels& labels) {
  w.BeginObject();
  labels.ForEach([&](Label l) {
    w.Key(l.name);
    w.String(l.value);
  });
  w.EndObject();
}

void WriteStrings(JsonWriter& w, const std::vector<std::string>& values) {
  w.BeginArray();
  for (const std::string& v : values) w.String(v);
  w.EndArray();
}

// Prometheus maps storage errors of label queries to "execution"; Strata
// reports an unavailable store as such.
ApiErrorType StorageErrorType(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable ? ApiErrorType::kUnavailable
                                                    : ApiErrorType::kExecution;
}

// Parsed start, end, limit and match[] of the label endpoints.
struct SelectionParams {
  int64_t start = kApiMinTimeMs;
  int64_t end = kApiMaxTimeMs;
  int64_t limit = 0;
  std::vector<std::vector<Matcher>> matcher_sets;
};

// limit, start, end, then match[] (errors bare, as labels/label values do).
bool ParseSelection(const ApiRequest& req, httplib::Response* res, SelectionParams* out) {
  absl::StatusOr<int64_t> limit = ParseLimitParam(req.form);
  absl::StatusOr<int64_t> start =
      limit.ok() ? ParseTimeParam(req.form, "start", kApiMinTimeMs) : limit.status();
  absl::StatusOr<int64_t> end =
      start.ok() ? ParseTimeParam(req.form, "end", kApiMaxTimeMs) : start.status();
  if (!end.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, StatusMessage(end.status()));
    return false;
  }
  auto sets = ParseMatchersParam(req.form.GetAll("match[]"));
  if (!sets.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, StatusMessage(sets.status()));
    return false;
  }
  *out = {*start, *end, *limit, std::move(*sets)};
  return true;
}

// Truncates `values` to `limit` (0: none), adding Prometheus's warning.
void ApplyLimit(std::vector<std::string>* values, int64_t limit,
                std::vector<std::string>* warnings) {
  if (limit > 0 && values->size() > static_cast<size_t>(limit)) {
    values->resize(limit);
    warnings->emplace_back(kTruncated);
  }
}

std::string_view MetricTypeName(uint8_t type) {
  static constexpr std::string_view kNames[] = {"unknown",        "counter", "gauge", "histogram",
                                                "gaugehistogram", "summary", "info",  "stateset"};
  return type < std::size(kNames) ? kNames[type] : "unknown";
}

void WriteStats(JsonWriter& w, std::string_view key, const std::vector<CardinalityStat>& stats) {
  w.Key(key);
  w.BeginArray();
  for (const CardinalityStat& s : stats) {
    w.BeginObject();
    w.Key("name");
    w.String(s.name);
    w.Key("value");
    w.Uint(s.value);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

BuildInfo CompiledBuildInfo() {
  return BuildInfo{STRATA_VERSION,    STRATA_REVISION, STRATA_BRANCH,
                   STRATA_BUILD_USER, CompileDate(),   CompilerVersion()};
}

absl::StatusOr<std::vector<std::vector<Matcher>>> ParseMatchersParam(
    const std::vector<std::string_view>& selectors) {
  std::vector<std::vector<Matcher>> sets;
  sets.reserve(selectors.size());
  for (std::string_view s : selectors) {
    absl::StatusOr<std::vector<Matcher>> matchers = promql::ParseMetricSelector(s);
    if (!matchers.ok()) return matchers.status();
    sets.push_back(std::move(*matchers));
  }
  for (const auto& set : sets) {
    if (!promql::HasNonEmptyMatcher(set)) {
      return absl::InvalidArgumentError("match[] must contain at least one non-empty matcher");
    }
  }
  return sets;
}

void MetadataApi::Series(const ApiRequest& req, httplib::Response* res) {
  if (!req.form_error.ok()) {
    RespondApiError(res, ApiErrorType::kBadData,
                    fmt::format("error parsing form values: {}", StatusMessage(req.form_error)));
    return;
  }
  std::vector<std::string_view> selectors = req.form.GetAll("match[]");
  if (selectors.empty()) {
    RespondApiError(res, ApiErrorType::kBadData, "no match[] parameter provided");
    return;
  }
  absl::StatusOr<int64_t> limit = ParseLimitParam(req.form);
  absl::StatusOr<int64_t> start =
      limit.ok() ? ParseTimeParam(req.form, "start", kApiMinTimeMs) : limit.status();
  absl::StatusOr<int64_t> end =
      start.ok() ? ParseTimeParam(req.form, "end", kApiMaxTimeMs) : start.status();
  if (!end.ok()) {
    RespondApiError(res, ApiErrorType::kBadData, StatusMessage(end.status()));
    return;
  }
  auto sets = ParseMatchersParam(selectors);
  if (!sets.ok()) {
    RespondApiError(res, ApiErrorType::kBadData,
                    fmt::format("invalid parameter \"match[]\": {}", StatusMessage(sets.status())));
    return;
  }

  std::unique_ptr<Querier> querier = db_->NewQuerier(*start, *end);
  std::vector<Labels> series;
  std::vector<std::string> warnings;
  const size_t max = *limit > 0 ? static_cast<size_t>(*limit) : SIZE_MAX;
  for (const std::vector<Matcher>& set : *sets) {
    std::unique_ptr<SeriesSet> ss = querier->Select(set);
    // With one selector the set is already sorted and unique, so reading
    // one past the limit is enough; several are merged below.
    while ((sets->size() > 1 || series.size() <= max) && ss->Next()) {
      series.push_back(ss->labels());
    }
    if (!ss->status().ok()) {
      RespondApiError(res, StorageErrorType(ss->status()), StatusMessage(ss->status()));
      return;
    }
  }
  if (sets->size() > 1) {
    std::sort(series.begin(), series.end());
    series.erase(std::unique(series.begin(), series.end()), series.end());
  }
  if (series.size() > max) {
    series.resize(max);
    warnings.emplace_back(kTruncated);
  }

  ApiSuccess out;
  out.data().BeginArray();
  for (const Labels& l : series) WriteLabels(out.data(), l);
  out.data().EndArray();
  out.Send(res, warnings);
}

void MetadataApi::LabelNames(const ApiRequest& req, httplib::Response* res) {
  SelectionParams p;
  if (!ParseSelection(req, res, &p)) return;
  std::unique_ptr<Querier> querier = db_->NewQuerier(p.start, p.end);
  std::vector<std::string> names;
  if (p.matcher_sets.size() <= 1) {
    std::span<const Matcher> matchers;
    if (!p.matcher_sets.empty()) matchers = p.matcher_sets[0];
    absl::StatusOr<std::vector<std::string>> r = querier->LabelNames(matchers);
    if (!r.ok())
      return RespondApiError(res, StorageErrorType(r.status()), StatusMessage(r.status()));
    names = std::move(*r);
  } else {
    std::set<std::string> all;
    for (const auto& set : p.matcher_sets) {
      absl::StatusOr<std::vector<std::string>> r = querier->LabelNames(set);
      if (!r.ok())
        return RespondApiError(res, StorageErrorType(r.status()), StatusMessage(r.status()));
      all.insert(std::make_move_iterator(r->begin()), std::make_move_iterator(r->end()));
    }
    names.assign(all.begin(), all.end());
  }
  std::vector<std::string> warnings;
  ApplyLimit(&names, p.limit, &warnings);
  ApiSuccess out;
  WriteStrings(out.data(), names);
  out.Send(res, warnings);
}

void MetadataApi::LabelValues(const ApiRequest& req, httplib::Response* res) {
  std::string name = UnescapeLabelName(req.path_name);
  if (name.empty() || !IsValidUtf8(name)) {
    RespondApiError(res, ApiErrorType::kBadData,
                    fmt::format("invalid label name: {}", GoQuote(name)));
    return;
  }
  SelectionParams p;
  if (!ParseSelection(req, res, &p)) return;
  std::unique_ptr<Querier> querier = db_->NewQuerier(p.start, p.end);
  std::vector<std::string> values;
  if (p.matcher_sets.size() <= 1) {
    std::span<const Matcher> matchers;
    if (!p.matcher_sets.empty()) matchers = p.matcher_sets[0];
    absl::StatusOr<std::vector<std::string>> r = querier->LabelValues(name, matchers);
    if (!r.ok())
      return RespondApiError(res, StorageErrorType(r.status()), StatusMessage(r.status()));
    values = std::move(*r);
  } else {
    std::set<std::string> all;
    for (const auto& set : p.matcher_sets) {
      absl::StatusOr<std::vector<std::string>> r = querier->LabelValues(name, set);
      if (!r.ok())
        return RespondApiError(res, StorageErrorType(r.status()), StatusMessage(r.status()));
      all.insert(std::make_move_iterator(r->begin()), std::make_move_iterator(r->end()));
    }
    values.assign(all.begin(), all.end());
  }
  std::vector<std::string> warnings;
  ApplyLimit(&values, p.limit, &warnings);
  ApiSuccess out;
  WriteStrings(out.data(), values);
  out.Send(res, warnings);
}

void MetadataApi::Metadata(const ApiRequest& req, httplib::Response* res) {
  int64_t limit = -1;
  if (std::string_view s = req.form.Get("limit"); !s.empty()) {
    absl::StatusOr<int64_t> v = ParseGoInt(s);
    if (!v.ok()) return RespondApiError(res, ApiErrorType::kBadData, "limit must be a number");
    limit = *v;
  }
  // One entry per metric is all Strata keeps, so limit_per_metric is only
  // validated.
  if (std::string_view s = req.form.Get("limit_per_metric"); !s.empty() && !ParseGoInt(s).ok()) {
    return RespondApiError(res, ApiErrorType::kBadData, "limit_per_metric must be a number");
  }
  std::string_view metric = req.form.Get("metric");

  ApiSuccess out;
  JsonWriter& w = out.data();
  w.BeginObject();
  int64_t written = 0;
  for (const auto& [name, m] : db_->head()->Metadata()) {
    if (!metric.empty() && name != metric) continue;
    if (limit >= 0 && written >= limit) break;
    ++written;
    w.Key(name);
    w.BeginArray();
    w.BeginObject();
    w.Key("type");
    w.String(MetricTypeName(m.type));
    w.Key("help");
    w.String(m.help);
    w.Key("unit");
    w.String(m.unit);
    w.EndObject();
    w.EndArray();
  }
  w.EndObject();
  out.Send(res);
}

void MetadataApi::ServeBuildInfo(const ApiRequest&, httplib::Response* res) {
  ApiSuccess out;
  JsonWriter& w = out.data();
  w.BeginObject();
  w.Key("version");
  w.String(build_info_.version);
  w.Key("revision");
  w.String(build_info_.revision);
  w.Key("branch");
  w.String(build_info_.branch);
  w.Key("buildUser");
  w.String(build_info_.build_user);
  w.Key("buildDate");
  w.String(build_info_.build_date);
  w.Key("goVersion");
  w.String(build_info_.go_version);
  w.EndObject();
  out.Send(res);
}

void MetadataApi::TsdbStatus(const ApiRequest& req, httplib::Response* res) {
  int64_t limit = 10;
  if (std::string_view s = req.form.Get("limit"); !s.empty()) {
    absl::StatusOr<int64_t> v = ParseGoInt(s);
    if (!v.ok() || *v < 1) {
      return RespondApiError(res, ApiErrorType::kBadData, "limit must be a positive number");
    }
    limit = *v;
  }
  const Head& head = *db_->head();
  HeadCardinality c = ComputeHeadCardinality(head, static_cast<size_t>(limit));
  ApiSuccess out;
  JsonWriter& w = out.data();
  w.BeginObject();
  w.Key("headStats");
  w.BeginObject();
  w.Key("numSeries");
  w.Uint(c.num_series);
  w.Key("numLabelPairs");
  w.Uint(c.num_label_pairs);
  w.Key("chunkCount");
  w.Uint(head.stats().chunks);
  w.Key("minTime");
  w.Int(head.min_time());
  w.Key("maxTime");
  w.Int(head.max_time());
  w.EndObject();
  WriteStats(w, "seriesCountByMetricName", c.series_count_by_metric_name);
  WriteStats(w, "labelValueCountByLabelName", c.label_value_count_by_label_name);
  WriteStats(w, "memoryInBytesByLabelName", c.memory_in_bytes_by_label_name);
  WriteStats(w, "seriesCountByLabelValuePair", c.series_count_by_label_value_pair);
  w.EndObject();
  out.Send(res);
}

void MetadataApi::QueryExemplars(const ApiRequest& req, httplib::Response* res) {
  absl::StatusOr<int64_t> start = ParseTimeParam(req.form, "start", kApiMinTimeMs);
  absl::StatusOr<int64_t> end =
      start.ok() ? ParseTimeParam(req.form, "end", kApiMaxTimeMs) : start.status();
  if (!end.ok()) return RespondApiError(res, ApiErrorType::kBadData, StatusMessage(end.status()));
  if (*end < *start) {
    return RespondApiError(res, ApiErrorType::kBadData,
                           "end timestamp must not be before start timestamp");
  }
  ApiSuccess out;
  out.data().BeginArray();
  out.data().EndArray();
  out.Send(res);
}

}  // namespace strata::api
