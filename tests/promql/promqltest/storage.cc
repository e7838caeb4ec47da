// TestStorage: loading PromQL test-script data into a throwaway DB.
#include "tests/promql/promqltest/storage.h"

#include <cmath>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "promql/strconv.h"
#include "tests/promql/promqltest/text_util.h"

namespace strata::promqltest {
namespace {

// Wide enough for any script: the head refuses samples older than
// max time - block_range/2 and newer than now + max_future.
constexpr int64_t kHugeRangeMs = int64_t{1} << 52;  // ~142,000 years

// convertnhcb.GetHistogramMetricBaseName: the classic-histogram suffix.
std::string_view HistogramBaseName(std::string_view name) {
  for (std::string_view suffix : {"_bucket", "_count", "_sum"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      return name.substr(0, name.size() - suffix.size());
    }
  }
  return {};
}

}  // namespace

absl::Status TestStorage::Clear() {
  db_.reset();
  fs_ = std::make_unique<MemFileSystem>();
  histogram_series_.clear();
  DBOptions opts;
  opts.fs = fs_.get();
  opts.clock = &clock_;
  opts.wal_enabled = false;
  opts.block_range_ms = kHugeRangeMs;
  opts.max_future_ms = kHugeRangeMs;
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open("/promqltest", opts);
  if (!db.ok()) return db.status();
  db_ = std::move(*db);
  return absl::OkStatus();
}

absl::Status TestStorage::Load(const LoadCmd& cmd) {
  if (db_ == nullptr) return absl::FailedPreconditionError("storage not opened (call Clear)");
  std::unique_ptr<Appender> app = db_->NewAppender();
  for (const SeriesDesc& s : cmd.series) {
    int64_t t = 0;
    for (const SequenceValue& v : s.values) {
      if (v.histogram) {
        AddHistogramSeries(s.metric);
      } else if (!v.omitted) {
        absl::StatusOr<SeriesRef> ref = app->Add(s.metric, t, v.value);
        if (!ref.ok()) {
          app->Rollback();
          return absl::Status(ref.status().code(), Cat("load ", s.metric.ToString(), " at ", t,
                                                       ": ", ref.status().message()));
        }
      }
      t += cmd.interval_ms;
    }
  }
  if (cmd.with_nhcb) AddNhcbSeries(cmd);
  return app->Commit();
}

std::function<std::unique_ptr<Querier>(int64_t, int64_t)> TestStorage::queryable() {
  return [this](int64_t mint, int64_t maxt) { return db_->NewQuerier(mint, maxt); };
}

void TestStorage::AddHistogramSeries(const Labels& l) {
  for (const Labels& h : histogram_series_) {
    if (h == l) return;
  }
  histogram_series_.push_back(l);
}

// The series load_with_nhcb adds beside the classic ones: per base name and
// labels without `le`, one native histogram with custom buckets.
void TestStorage::AddNhcbSeries(const LoadCmd& cmd) {
  for (const SeriesDesc& s : cmd.series) {
    const std::string_view name = s.metric.Get(kMetricNameLabel);
    const std::string_view base = HistogramBaseName(name);
    if (base.empty()) continue;
    if (name.ends_with("_bucket")) {
      absl::StatusOr<double> le = promql::ParseNumber(s.metric.Get("le"));
      if (!le.ok() || std::isnan(*le)) continue;
    }
    const std::string base_name(base);
    std::vector<Label> pairs;
    s.metric.ForEach([&](const Label& l) {
      if (l.name == "le") return;
      pairs.push_back(l.name == kMetricNameLabel ? Label{l.name, base_name} : l);
    });
    AddHistogramSeries(Labels::FromSorted(pairs));
  }
}

}  // namespace strata::promqltest
