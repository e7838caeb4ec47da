#include "bench/loadgen/encode.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "api/proto/remote_write_v1.pb.h"
#include "api/proto/remote_write_v2.pb.h"
#include "bench/workload/synthetic.h"
#include "snappy.h"
#include "tsdb/labels/labels.h"

namespace strata::loadgen {
namespace {

using bench::SyntheticWorkload;
constexpr int kSeriesPerTarget = SyntheticWorkload::kSeriesPerTarget;

bool IsCounter(SyntheticWorkload::Kind kind) {
  return kind == SyntheticWorkload::Kind::kCounterSeconds ||
         kind == SyntheticWorkload::Kind::kCounterInt;
}

// Totals of one connection's stream, summed after the encoding threads join.
struct ConnectionTotals {
  uint64_t samples = 0;
  uint64_t raw_bytes = 0;
  uint64_t compressed_bytes = 0;
  int64_t min_ts = std::numeric_limits<int64_t>::max();
  int64_t max_ts = std::numeric_limits<int64_t>::min();
};

// Encodes the requests of one connection. Owns the series of its targets
// exclusively, so calling workload->NextValue for them from this thread does
// not race with other connections' threads (they touch other elements).
class ConnectionEncoder {
 public:
  ConnectionEncoder(const EncodeOptions& options, int connection, SyntheticWorkload* workload,
                    std::vector<EncodedRequest>* out)
      : options_(options), workload_(workload), out_(out) {
    for (int t = connection; t < options.targets; t += options.connections) targets_.push_back(t);
    // Label sets are built once per series: building them costs far more
    // than encoding, and every scrape repeats them.
    labels_.reserve(targets_.size() * kSeriesPerTarget);
    for (int t : targets_) {
      for (int j = 0; j < kSeriesPerTarget; ++j) {
        labels_.push_back(workload->SeriesLabels(uint64_t(t) * kSeriesPerTarget + j));
      }
    }
    if (options_.protocol == Protocol::kV2) ResetV2();
  }

  ConnectionTotals Run() {
    const int units_per_request = std::max(1, options_.batch / kSeriesPerTarget);
    out_->reserve((size_t(options_.scrapes) * targets_.size() + units_per_request - 1) /
                  units_per_request);
    int units = 0;
    for (int round = 0; round < options_.scrapes; ++round) {
      for (size_t k = 0; k < targets_.size(); ++k) {
        AddScrape(k, round);
        if (++units == units_per_request) {
          Flush();
          units = 0;
        }
      }
    }
    if (units > 0) Flush();
    return totals_;
  }

 private:
  // Adds scrape `round` of the k-th target of this connection.
  void AddScrape(size_t k, int round) {
    const uint64_t first = uint64_t(targets_[k]) * kSeriesPerTarget;
    for (int j = 0; j < kSeriesPerTarget; ++j) {
      const uint64_t i = first + j;
      const Labels& labels = labels_[k * kSeriesPerTarget + j];
      const int64_t ts = workload_->Timestamp(i, round);
      const double value = workload_->NextValue(i);
      totals_.min_ts = std::min(totals_.min_ts, ts);
      totals_.max_ts = std::max(totals_.max_ts, ts);
      if (options_.protocol == Protocol::kV1) {
        rw::v1::TimeSeries* series = v1_.add_timeseries();
        labels.ForEach([&](Label l) {
          rw::v1::Label* pair = series->add_labels();
          pair->set_name(l.name.data(), l.name.size());
          pair->set_value(l.value.data(), l.value.size());
        });
        rw::v1::Sample* sample = series->add_samples();
        sample->set_value(value);
        sample->set_timestamp(ts);
      } else {
        rw::v2::TimeSeries* series = v2_.add_timeseries();
        labels.ForEach([&](Label l) {
          series->add_labels_refs(Symbol(l.name));
          series->add_labels_refs(Symbol(l.value));
        });
        rw::v2::Sample* sample = series->add_samples();
        sample->set_value(value);
        sample->set_timestamp(ts);
        series->mutable_metadata()->set_type(IsCounter(workload_->kind(i))
                                                 ? rw::v2::Metadata::METRIC_TYPE_COUNTER
                                                 : rw::v2::Metadata::METRIC_TYPE_GAUGE);
      }
      ++samples_in_request_;
    }
  }

  // The index of `s` in the v2 request's symbol table, adding it if new.
  // The views point into labels_, which outlives the map's entries.
  uint32_t Symbol(std::string_view s) {
    auto [it, inserted] = symbols_.try_emplace(s, uint32_t(v2_.symbols_size()));
    if (inserted) v2_.add_symbols(s.data(), s.size());
    return it->second;
  }

  void Flush() {
    if (options_.protocol == Protocol::kV1) {
      v1_.SerializeToString(&raw_);
      v1_.Clear();  // keeps the allocated messages and strings for reuse
    } else {
      v2_.SerializeToString(&raw_);
      ResetV2();
    }
    EncodedRequest& request = out_->emplace_back();
    snappy::Compress(raw_.data(), raw_.size(), &request.body);
    request.body.shrink_to_fit();
    request.samples = samples_in_request_;
    totals_.samples += samples_in_request_;
    totals_.raw_bytes += raw_.size();
    totals_.compressed_bytes += request.body.size();
    samples_in_request_ = 0;
  }

  // Empties the v2 request (keeping its allocations for reuse) and starts
  // its symbol table with "", which the spec requires at index 0.
  void ResetV2() {
    v2_.Clear();
    symbols_.clear();
    v2_.add_symbols("");
    symbols_.emplace(std::string_view(), 0);
  }

  const EncodeOptions& options_;
  SyntheticWorkload* workload_;
  std::vector<EncodedRequest>* out_;
  std::vector<int> targets_;
  std::vector<Labels> labels_;
  rw::v1::WriteRequest v1_;
  rw::v2::Request v2_;
  std::unordered_map<std::string_view, uint32_t> symbols_;
  std::string raw_;
  uint32_t samples_in_request_ = 0;
  ConnectionTotals totals_;
};

}  // namespace

EncodedStream EncodeStream(const EncodeOptions& options) {
  SyntheticWorkload workload(uint64_t(options.targets) * kSeriesPerTarget, options.start_ms,
                             options.interval_ms, options.seed);
  EncodedStream stream;
  stream.per_connection.resize(options.connections);
  std::vector<ConnectionTotals> totals(options.connections);
  std::atomic<int> next{0};
  auto work = [&] {
    for (int c = next++; c < options.connections; c = next++) {
      ConnectionEncoder encoder(options, c, &workload, &stream.per_connection[c]);
      totals[c] = encoder.Run();
    }
  };
  std::vector<std::thread> threads;
  const int n = std::clamp(options.threads, 1, options.connections);
  for (int i = 0; i < n; ++i) threads.emplace_back(work);
  for (std::thread& t : threads) t.join();

  stream.series = workload.num_series();
  stream.min_timestamp_ms = std::numeric_limits<int64_t>::max();
  stream.max_timestamp_ms = std::numeric_limits<int64_t>::min();
  for (int c = 0; c < options.connections; ++c) {
    stream.requests += stream.per_connection[c].size();
    stream.samples += totals[c].samples;
    stream.raw_bytes += totals[c].raw_bytes;
    stream.compressed_bytes += totals[c].compressed_bytes;
    stream.min_timestamp_ms = std::min(stream.min_timestamp_ms, totals[c].min_ts);
    stream.max_timestamp_ms = std::max(stream.max_timestamp_ms, totals[c].max_ts);
  }
  return stream;
}

}  // namespace strata::loadgen
