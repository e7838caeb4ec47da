#include "api/self_metrics.h"

#include <sys/resource.h>

#include <fstream>
#include <limits>
#include <vector>

#include "api/query_api.h"
#include "api/remote_write.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace strata {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Registry;

// Sets counter `c` to `value` (counters only move forward).
void SyncCounter(Counter& c, double value) {
  double delta = value - c.Value();
  if (delta > 0) c.Increment(delta);
}
void SyncCounter(Counter& c, uint64_t value) { SyncCounter(c, static_cast<double>(value)); }

Family<Counter>& CounterFamily(Registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
Counter& NewCounter(Registry& r, const std::string& name, const std::string& help) {
  return CounterFamily(r, name, help).Add({});
}
Gauge& NewGauge(Registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

// The WAL's fsync durations as a Prometheus histogram. The WAL keeps the
// counts itself (cheaply, under a lock it holds anyway), so they are rendered
// as they are rather than re-observed into a prometheus::Histogram.
prometheus::MetricFamily FsyncDurationFamily(const wal::FsyncHistogram& h) {
  prometheus::MetricFamily family;
  family.name = "strata_wal_fsync_duration_seconds";
  family.help = "Duration of fsyncs of WAL segment data, failed ones included.";
  family.type = prometheus::MetricType::Histogram;
  prometheus::ClientMetric m;
  m.histogram.sample_count = h.count;
  m.histogram.sample_sum = static_cast<double>(h.sum_nanos) / 1e9;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    double bound = i < wal::kFsyncBucketBounds.size() ? wal::kFsyncBucketBounds[i]
                                                      : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back({cumulative, bound});
  }
  family.metric.push_back(std::move(m));
  return family;
}

double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return static_cast<double>(pages_resident) * 4096;
}

}  // namespace

// Storage and process metrics, synchronised from stats at scrape time.
struct SelfMetrics::Impl {
  Impl(Registry& r, DB* db) : db(db), registry(r) {}
  DB* db;
  Registry& registry;
  Gauge& series = NewGauge(registry, "strata_head_series", "Series in the head.");
  Counter& samples =
      NewCounter(registry, "strata_head_samples_appended_total", "Samples appended to the head.");
  Family<Counter>& rejected = CounterFamily(registry, "strata_head_samples_rejected_total",
                                            "Samples refused by the head, by reason.");
  Counter& out_of_order = rejected.Add({{"reason", "out_of_order"}});
  Counter& duplicate = rejected.Add({{"reason", "duplicate"}});
  Counter& too_old = rejected.Add({{"reason", "too_old"}});
  Counter& too_new = rejected.Add({{"reason", "too_far_in_future"}});
  Counter& invalid = rejected.Add({{"reason", "invalid_labels"}});
  Counter& chunks =
      NewCounter(registry, "strata_head_chunks_created_total", "Chunks created in the head.");
  Counter& wal_records =
      NewCounter(registry, "strata_wal_records_written_total", "Records written to the WAL.");
  Counter& wal_bytes =
      NewCounter(registry, "strata_wal_bytes_written_total", "Bytes written to the WAL.");
  Counter& wal_fsyncs =
      NewCounter(registry, "strata_wal_fsyncs_total", "fsync calls on WAL segments.");
  Counter& wal_errors = NewCounter(registry, "strata_wal_write_errors_total", "Failed WAL writes.");
  Counter& wal_repairs =
      NewCounter(registry, "strata_wal_repairs_total", "Damaged WAL tails cut on open.");
  Gauge& replay_seconds =
      NewGauge(registry, "strata_wal_replay_duration_seconds", "Time the last WAL replay took.");
  Gauge& blocks = NewGauge(registry, "strata_tsdb_blocks_loaded", "Persistent blocks served.");
  Gauge& block_bytes = NewGauge(registry, "strata_tsdb_storage_blocks_bytes",
                                "Bytes on disk of the persistent blocks served.");
  Counter& head_blocks = NewCounter(registry, "strata_tsdb_head_blocks_written_total",
                                    "Blocks cut from the head's oldest range.");
  Counter& head_truncations = NewCounter(registry, "strata_tsdb_head_truncations_total",
                                         "Head truncations after a block was cut.");
  Counter& compactions =
      NewCounter(registry, "strata_tsdb_compactions_total", "Block compactions completed.");
  Counter& compactions_failed = NewCounter(registry, "strata_tsdb_compactions_failed_total",
                                           "Block compactions that failed.");
  Counter& maintenance_runs =
      NewCounter(registry, "strata_tsdb_maintenance_runs_total",
                 "Maintenance rounds (head cut, compaction, retention) completed, failed or not.");
  Counter& maintenance_failures =
      NewCounter(registry, "strata_tsdb_maintenance_failures_total",
                 "Maintenance rounds (head cut, compaction, retention) that ended in an error.");
  Family<Counter>& retention = CounterFamily(registry, "strata_tsdb_retention_deleted_blocks_total",
                                             "Blocks deleted by retention, by limit.");
  Counter& retention_time = retention.Add({{"reason", "time"}});
  Counter& retention_size = retention.Add({{"reason", "size"}});
  Counter& corrupted_blocks =
      NewCounter(registry, "strata_tsdb_corrupted_blocks_total",
                 "Blocks that failed validation at open and are not served.");
  Counter& wal_checkpoints =
      NewCounter(registry, "strata_wal_checkpoints_total", "WAL checkpoints written.");
  Gauge& rss =
      NewGauge(registry, "process_resident_memory_bytes", "Resident memory size in bytes.");
  Gauge& cpu =
      NewGauge(registry, "process_cpu_seconds_total", "User and system CPU time spent in seconds.");
};

// Remote-write metrics, synchronised from RemoteWriteHandler::stats().
struct SelfMetrics::RemoteWrite {
  explicit RemoteWrite(Registry& registry) : registry(registry) {}
  Registry& registry;
  Family<Counter>& requests =
      CounterFamily(registry, "strata_remote_write_requests_total",
                    "Remote-write requests by outcome (ok 204, bad_request 400, "
                    "unsupported_media_type 415, too_large 413, storage_error 5xx).");
  Counter& ok = requests.Add({{"outcome", "ok"}});
  Counter& bad_request = requests.Add({{"outcome", "bad_request"}});
  Counter& unsupported = requests.Add({{"outcome", "unsupported_media_type"}});
  Counter& too_large = requests.Add({{"outcome", "too_large"}});
  Counter& storage_error = requests.Add({{"outcome", "storage_error"}});
  Family<Counter>& protocol =
      CounterFamily(registry, "strata_remote_write_requests_by_protocol_total",
                    "Remote-write requests by negotiated protocol version.");
  Counter& v1 = protocol.Add({{"version", "1.0"}});
  Counter& v2 = protocol.Add({{"version", "2.0"}});
  Counter& samples = NewCounter(registry, "strata_remote_write_samples_written_total",
                                "Samples written by remote write.");
  Family<Counter>& rejected = CounterFamily(registry, "strata_remote_write_samples_rejected_total",
                                            "Remote-write samples refused, by reason.");
  Counter& out_of_order = rejected.Add({{"reason", "out_of_order"}});
  Counter& duplicate = rejected.Add({{"reason", "duplicate"}});
  Counter& too_old = rejected.Add({{"reason", "too_old"}});
  Counter& too_new = rejected.Add({{"reason", "too_far_in_future"}});
  Counter& invalid = rejected.Add({{"reason", "invalid_labels"}});
  Counter& series_invalid = NewCounter(registry, "strata_remote_write_series_rejected_total",
                                       "Remote-write series refused for invalid labels.");
  Counter& histograms = NewCounter(registry, "strata_remote_write_histograms_dropped_total",
                                   "Native histogram samples received and not stored.");
  Counter& exemplars = NewCounter(registry, "strata_remote_write_exemplars_dropped_total",
                                  "Exemplars received and not stored.");
  Family<Counter>& metadata = CounterFamily(registry, "strata_remote_write_metadata_total",
                                            "Remote-write metadata entries by result.");
  Counter& metadata_applied = metadata.Add({{"result", "applied"}});
  Counter& metadata_skipped = metadata.Add({{"result", "skipped"}});
  Counter& bytes_received = NewCounter(registry, "strata_remote_write_received_bytes_total",
                                       "Compressed remote-write body bytes received.");
  Counter& bytes_decoded = NewCounter(registry, "strata_remote_write_decoded_bytes_total",
                                      "Remote-write body bytes after snappy decoding.");
  Counter& samples_received =
      NewCounter(registry, "strata_remote_write_samples_received_total",
                 "Float samples in decoded remote-write requests, before validation.");
  Counter& series_received =
      NewCounter(registry, "strata_remote_write_series_received_total",
                 "Series in decoded remote-write requests, before validation.");
  Family<Counter>& cache = CounterFamily(registry, "strata_remote_write_series_cache_total",
                                         "Series-ref cache lookups by result.");
  Counter& cache_hits = cache.Add({{"result", "hit"}});
  Counter& cache_misses = cache.Add({{"result", "miss"}});
  Counter& cache_evictions =
      NewCounter(registry, "strata_remote_write_series_cache_evictions_total",
                 "Series-ref cache shard clears.");

  void Sync(const api::RemoteWriteStats& s) {
    SyncCounter(ok, s.requests_ok);
    SyncCounter(bad_request, s.requests_bad_request);
    SyncCounter(unsupported, s.requests_unsupported_media_type);
    SyncCounter(too_large, s.requests_too_large);
    SyncCounter(storage_error, s.requests_storage_error);
    SyncCounter(v1, s.requests_v1);
    SyncCounter(v2, s.requests_v2);
    SyncCounter(samples, s.samples_written);
    SyncCounter(out_of_order, s.samples_rejected_out_of_order);
    SyncCounter(duplicate, s.samples_rejected_duplicate);
    SyncCounter(too_old, s.samples_rejected_too_old);
    SyncCounter(too_new, s.samples_rejected_too_far_in_future);
    SyncCounter(invalid, s.samples_rejected_invalid_labels);
    SyncCounter(series_invalid, s.series_rejected_invalid_labels);
    SyncCounter(histograms, s.histograms_dropped);
    SyncCounter(exemplars, s.exemplars_dropped);
    SyncCounter(metadata_applied, s.metadata_applied);
    SyncCounter(metadata_skipped, s.metadata_skipped);
    SyncCounter(bytes_received, s.bytes_received);
    SyncCounter(bytes_decoded, s.bytes_decoded);
    SyncCounter(samples_received, s.samples_received);
    SyncCounter(series_received, s.series_received);
    SyncCounter(cache_hits, s.series_cache_hits);
    SyncCounter(cache_misses, s.series_cache_misses);
    SyncCounter(cache_evictions, s.series_cache_evictions);
  }
};

// HTTP request metrics, recorded as requests finish. prometheus-cpp's
// families and metrics are internally synchronised.
struct SelfMetrics::Http {
  explicit Http(Registry& registry) : registry(registry) {}
  Registry& registry;
  Family<Counter>& requests = CounterFamily(registry, "strata_http_requests_total",
                                            "HTTP requests served, by handler and status code.");
  Family<prometheus::Histogram>& duration =
      prometheus::BuildHistogram()
          .Name("strata_http_request_duration_seconds")
          .Help(
              "HTTP request latency (from the first request byte until the response is ready), "
              "by handler.")
          .Register(registry);
};

// PromQL engine gauges and counters, read from the QueryApi on each scrape.
struct SelfMetrics::Query {
  explicit Query(Registry& registry) : registry(registry) {}
  Registry& registry;
  Gauge& running =
      NewGauge(registry, "strata_engine_queries", "PromQL queries being evaluated now.");
  Gauge& queued = NewGauge(registry, "strata_engine_queries_queued",
                           "PromQL queries waiting for a slot (--query.max-concurrency).");
  Counter& queries = NewCounter(registry, "strata_engine_queries_total",
                                "PromQL queries evaluated, successfully or not.");
  Counter& failed = NewCounter(registry, "strata_engine_queries_failed_total",
                               "PromQL queries that ended with an error.");
  Counter& samples = NewCounter(registry, "strata_engine_query_samples_total",
                                "Samples read from storage by PromQL queries.");

  void Sync(const api::QueryApi& q) {
    running.Set(static_cast<double>(q.running()));
    queued.Set(static_cast<double>(q.queued()));
    SyncCounter(queries, static_cast<double>(q.queries_total()));
    SyncCounter(failed, static_cast<double>(q.queries_failed()));
    SyncCounter(samples, static_cast<double>(q.samples_total()));
  }
};

SelfMetrics::SelfMetrics(DB* db, const api::RemoteWriteHandler* remote_write,
                         const api::QueryApi* query)
    : registry_(std::make_shared<Registry>()),
      remote_write_handler_(remote_write),
      query_api_(query),
      impl_(std::make_unique<Impl>(*registry_, db)),
      http_(std::make_unique<Http>(*registry_)) {
  if (remote_write != nullptr) remote_write_ = std::make_unique<RemoteWrite>(*registry_);
  if (query != nullptr) query_ = std::make_unique<Query>(*registry_);
}

SelfMetrics::~SelfMetrics() = default;

std::string SelfMetrics::Render() {
  MutexLock lock(&mu_);
  Impl& m = *impl_;
  DBStats s = m.db->stats();
  m.series.Set(static_cast<double>(s.head.series));
  SyncCounter(m.samples, s.head.samples_appended);
  SyncCounter(m.out_of_order, s.head.out_of_order);
  SyncCounter(m.duplicate, s.head.duplicate_conflicts);
  SyncCounter(m.too_old, s.head.too_old);
  SyncCounter(m.too_new, s.head.too_far_in_future);
  SyncCounter(m.invalid, s.head.invalid_labels);
  SyncCounter(m.chunks, s.head.chunks);
  SyncCounter(m.wal_records, s.wal.records_written);
  SyncCounter(m.wal_bytes, s.wal.bytes_written);
  SyncCounter(m.wal_fsyncs, s.wal.fsyncs);
  SyncCounter(m.wal_errors, s.wal.write_errors);
  SyncCounter(m.wal_repairs, s.replay.repaired ? 1.0 : 0.0);
  m.replay_seconds.Set(s.replay_seconds);
  m.blocks.Set(static_cast<double>(s.blocks.blocks));
  m.block_bytes.Set(static_cast<double>(s.blocks.block_bytes));
  SyncCounter(m.head_blocks, s.blocks.head_blocks_written);
  SyncCounter(m.head_truncations, s.blocks.head_truncations);
  SyncCounter(m.compactions, s.blocks.compactions);
  SyncCounter(m.compactions_failed, s.blocks.compactions_failed);
  SyncCounter(m.maintenance_runs, s.blocks.maintenance_runs);
  SyncCounter(m.maintenance_failures, s.blocks.maintenance_failures);
  SyncCounter(m.retention_time, s.blocks.retention_deleted_by_time);
  SyncCounter(m.retention_size, s.blocks.retention_deleted_by_size);
  SyncCounter(m.corrupted_blocks, s.blocks.corrupted_blocks);
  SyncCounter(m.wal_checkpoints, s.blocks.wal_checkpoints);
  m.rss.Set(ResidentBytes());
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  m.cpu.Set(static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
  if (remote_write_ != nullptr) remote_write_->Sync(remote_write_handler_->stats());
  if (query_ != nullptr) query_->Sync(*query_api_);
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  families.push_back(FsyncDurationFamily(s.wal.fsync_duration));
  return prometheus::TextSerializer().Serialize(families);
}

void SelfMetrics::ObserveHttpRequest(std::string_view handler, int code, double seconds) {
  std::string h(handler);
  http_->requests.Add({{"handler", h}, {"code", std::to_string(code)}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  http_->duration.Add({{"handler", h}}, kBuckets).Observe(seconds);
}

}  // namespace strata
