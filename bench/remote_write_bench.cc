// Remote-write handler benchmarks: RemoteWriteHandler::Handle on realistic
// requests of 2,000 samples (one per series, as Prometheus batches them) to
// series that already exist, from snappy body to commit.
//
//   build/strata_bench --benchmark_filter=RemoteWrite
//
// Building each request (protobuf encoding, snappy compression) is the
// sender's work and is excluded from the timing.
#include <snappy.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/proto/remote_write_v1.pb.h"
#include "api/proto/remote_write_v2.pb.h"
#include "api/remote_write.h"
#include "api/remote_write_decode.h"
#include "bench/workload/synthetic.h"
#include "benchmark/benchmark.h"
#include "tests/test_util.h"
#include "tsdb/db.h"

namespace strata {
namespace {

constexpr uint64_t kSeries = 2000;
constexpr int64_t kIntervalMs = 15000;
constexpr std::string_view kV1Type = "application/x-protobuf";
constexpr std::string_view kV2Type = "application/x-protobuf;proto=io.prometheus.write.v2.Request";

// A request template with one sample per series; Next() advances it by one
// scrape round and returns the compressed body.
class RequestStream {
 public:
  explicit RequestStream(bool v2) : v2_(v2), workload_(kSeries, 0, kIntervalMs, 7) {
    for (uint64_t i = 0; i < kSeries; ++i) {
      Labels labels = workload_.SeriesLabels(i);
      if (v2_) {
        auto* ts = v2_req_.add_timeseries();
        labels.ForEach([&](Label l) {
          ts->add_labels_refs(Symbol(l.name));
          ts->add_labels_refs(Symbol(l.value));
        });
        ts->add_samples();
        bool counter = workload_.kind(i) == bench::SyntheticWorkload::Kind::kCounterSeconds ||
                       workload_.kind(i) == bench::SyntheticWorkload::Kind::kCounterInt;
        auto* md = ts->mutable_metadata();
        md->set_type(counter ? rw::v2::Metadata::METRIC_TYPE_COUNTER
                             : rw::v2::Metadata::METRIC_TYPE_GAUGE);
        md->set_help_ref(Symbol(std::string(labels.Get("__name__")) + " help text."));
      } else {
        auto* ts = v1_req_.add_timeseries();
        labels.ForEach([&](Label l) {
          auto* pair = ts->add_labels();
          pair->set_name(std::string(l.name));
          pair->set_value(std::string(l.value));
        });
        ts->add_samples();
      }
    }
  }

  const std::string& Next() {
    for (uint64_t i = 0; i < kSeries; ++i) {
      int64_t t = workload_.Timestamp(i, round_);
      double v = workload_.NextValue(i);
      if (v2_) {
        auto* s = v2_req_.mutable_timeseries(static_cast<int>(i))->mutable_samples(0);
        s->set_timestamp(t);
        s->set_value(v);
      } else {
        auto* s = v1_req_.mutable_timeseries(static_cast<int>(i))->mutable_samples(0);
        s->set_timestamp(t);
        s->set_value(v);
      }
    }
    ++round_;
    raw_ = v2_ ? v2_req_.SerializeAsString() : v1_req_.SerializeAsString();
    body_.clear();
    snappy::Compress(raw_.data(), raw_.size(), &body_);
    return body_;
  }
  const std::string& raw() const { return raw_; }
  std::string_view content_type() const { return v2_ ? kV2Type : kV1Type; }

 private:
  uint32_t Symbol(std::string_view s) {
    auto [it, inserted] = symbols_.try_emplace(std::string(s), v2_req_.symbols_size());
    if (inserted) v2_req_.add_symbols(std::string(s));
    return it->second;
  }

  bool v2_;
  bench::SyntheticWorkload workload_;
  rw::v1::WriteRequest v1_req_;
  rw::v2::Request v2_req_;
  std::map<std::string, uint32_t> symbols_;
  uint64_t round_ = 0;
  std::string raw_, body_;
};

std::unique_ptr<DB> OpenDB(const std::string& dir, int wal) {
  DBOptions o;
  o.wal_enabled = wal != 0;
  o.wal.sync_policy = wal == 2 ? wal::SyncPolicy::kAlways : wal::SyncPolicy::kInterval;
  o.block_range_ms = int64_t{1} << 50;  // never "too old"
  o.max_future_ms = int64_t{1} << 55;   // synthetic time starts at 0
  auto db = DB::Open(dir, o);
  return db.ok() ? std::move(*db) : nullptr;
}

// Handle() end to end. range(0): 0 = 1.0, 1 = 2.0. range(1): WAL 0 off,
// 1 interval fsync, 2 fsync per request. range(2): 1 = defeat the series
// cache (every lookup collides), to measure the slow path.
void BM_RemoteWrite(benchmark::State& state) {
  const bool v2 = state.range(0) == 1;
  testing::TempDir dir;
  std::unique_ptr<DB> db = OpenDB(dir.path(), static_cast<int>(state.range(1)));
  if (db == nullptr) {
    state.SkipWithError("open failed");
    return;
  }
  api::RemoteWriteHandler handler(db.get(), {});
  if (state.range(2) == 1) handler.ForceSeriesHashForTesting(true, 1);
  RequestStream stream(v2);
  // The series exist (and, normally, are cached) before timing starts.
  api::RemoteWriteResponse first = handler.Handle(stream.content_type(), "snappy", stream.Next());
  if (first.status != 204) {
    state.SkipWithError(first.message.c_str());
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    const std::string& body = stream.Next();
    state.ResumeTiming();
    api::RemoteWriteResponse r = handler.Handle(stream.content_type(), "snappy", body);
    if (r.status != 204) {
      state.SkipWithError(r.message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
  state.counters["body_bytes"] = static_cast<double>(stream.Next().size());
  state.counters["decoded_bytes"] = static_cast<double>(stream.raw().size());
}
BENCHMARK(BM_RemoteWrite)
    ->ArgNames({"v2", "wal", "slow"})
    ->Args({0, 0, 0})
    ->Args({0, 1, 0})
    ->Args({1, 0, 0})
    ->Args({1, 1, 0})
    ->Args({0, 0, 1})
    ->Args({1, 0, 1})
    ->UseRealTime();

// Decoding alone (decompressed body to flat arrays), for the split of costs.
void BM_RemoteWriteDecode(benchmark::State& state) {
  const bool v2 = state.range(0) == 1;
  RequestStream stream(v2);
  stream.Next();
  std::string raw = stream.raw();
  api::rw_internal::DecodedRequest decoded;
  for (auto _ : state) {
    absl::Status st =
        v2 ? api::rw_internal::DecodeV2(raw, &decoded) : api::rw_internal::DecodeV1(raw, &decoded);
    if (!st.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded.samples.data());
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(raw.size()));
}
BENCHMARK(BM_RemoteWriteDecode)->ArgName("v2")->Arg(0)->Arg(1);

// Snappy decompression of a request body alone.
void BM_RemoteWriteSnappy(benchmark::State& state) {
  RequestStream stream(state.range(0) == 1);
  std::string body = stream.Next();
  std::string out(stream.raw().size(), '\0');
  for (auto _ : state) {
    benchmark::DoNotOptimize(snappy::RawUncompress(body.data(), body.size(), out.data()));
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_RemoteWriteSnappy)->ArgName("v2")->Arg(0)->Arg(1);

}  // namespace
}  // namespace strata
