#include "api/self_metrics.h"

#include <sys/resource.h>

#include <cstdio>
#include <fstream>

#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace strata {
namespace {

// Sets counter `c` to `value` (counters only move forward).
void SyncCounter(prometheus::Counter& c, double value) {
  double delta = value - c.Value();
  if (delta > 0) c.Increment(delta);
}

double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return static_cast<double>(pages_resident) * 4096;
}

}  // namespace

struct SelfMetrics::Impl {
  explicit Impl(DB* db) : db(db) {}
  DB* db;
  prometheus::Registry registry;
  prometheus::Gauge& series = prometheus::BuildGauge()
                                  .Name("strata_head_series")
                                  .Help("Series in the head.")
                                  .Register(registry)
                                  .Add({});
  prometheus::Counter& samples = prometheus::BuildCounter()
                                     .Name("strata_head_samples_appended_total")
                                     .Help("Samples appended to the head.")
                                     .Register(registry)
                                     .Add({});
  prometheus::Family<prometheus::Counter>& rejected_family =
      prometheus::BuildCounter()
          .Name("strata_head_samples_rejected_total")
          .Help("Samples refused by the head, by reason.")
          .Register(registry);
  prometheus::Counter& out_of_order = rejected_family.Add({{"reason", "out_of_order"}});
  prometheus::Counter& duplicate = rejected_family.Add({{"reason", "duplicate"}});
  prometheus::Counter& too_old = rejected_family.Add({{"reason", "too_old"}});
  prometheus::Counter& too_new = rejected_family.Add({{"reason", "too_far_in_future"}});
  prometheus::Counter& invalid = rejected_family.Add({{"reason", "invalid_labels"}});
  prometheus::Counter& chunks = prometheus::BuildCounter()
                                    .Name("strata_head_chunks_created_total")
                                    .Help("Chunks created in the head.")
                                    .Register(registry)
                                    .Add({});
  prometheus::Counter& wal_records = prometheus::BuildCounter()
                                         .Name("strata_wal_records_written_total")
                                         .Help("Records written to the WAL.")
                                         .Register(registry)
                                         .Add({});
  prometheus::Counter& wal_bytes = prometheus::BuildCounter()
                                       .Name("strata_wal_bytes_written_total")
                                       .Help("Bytes written to the WAL.")
                                       .Register(registry)
                                       .Add({});
  prometheus::Counter& wal_fsyncs = prometheus::BuildCounter()
                                        .Name("strata_wal_fsyncs_total")
                                        .Help("fsync calls on WAL segments.")
                                        .Register(registry)
                                        .Add({});
  prometheus::Counter& wal_errors = prometheus::BuildCounter()
                                        .Name("strata_wal_write_errors_total")
                                        .Help("Failed WAL writes.")
                                        .Register(registry)
                                        .Add({});
  prometheus::Counter& wal_repairs = prometheus::BuildCounter()
                                         .Name("strata_wal_repairs_total")
                                         .Help("Damaged WAL tails cut on open.")
                                         .Register(registry)
                                         .Add({});
  prometheus::Gauge& replay_seconds = prometheus::BuildGauge()
                                          .Name("strata_wal_replay_duration_seconds")
                                          .Help("Time the last WAL replay took.")
                                          .Register(registry)
                                          .Add({});
  prometheus::Gauge& rss = prometheus::BuildGauge()
                               .Name("process_resident_memory_bytes")
                               .Help("Resident memory size in bytes.")
                               .Register(registry)
                               .Add({});
  prometheus::Gauge& cpu = prometheus::BuildGauge()
                               .Name("process_cpu_seconds_total")
                               .Help("User and system CPU time spent in seconds.")
                               .Register(registry)
                               .Add({});
};

SelfMetrics::SelfMetrics(DB* db) : impl_(std::make_unique<Impl>(db)) {}
SelfMetrics::~SelfMetrics() = default;

std::string SelfMetrics::Render() {
  MutexLock lock(&mu_);
  Impl& m = *impl_;
  DBStats s = m.db->stats();
  m.series.Set(static_cast<double>(s.head.series));
  SyncCounter(m.samples, static_cast<double>(s.head.samples_appended));
  SyncCounter(m.out_of_order, static_cast<double>(s.head.out_of_order));
  SyncCounter(m.duplicate, static_cast<double>(s.head.duplicate_conflicts));
  SyncCounter(m.too_old, static_cast<double>(s.head.too_old));
  SyncCounter(m.too_new, static_cast<double>(s.head.too_far_in_future));
  SyncCounter(m.invalid, static_cast<double>(s.head.invalid_labels));
  SyncCounter(m.chunks, static_cast<double>(s.head.chunks));
  SyncCounter(m.wal_records, static_cast<double>(s.wal.records_written));
  SyncCounter(m.wal_bytes, static_cast<double>(s.wal.bytes_written));
  SyncCounter(m.wal_fsyncs, static_cast<double>(s.wal.fsyncs));
  SyncCounter(m.wal_errors, static_cast<double>(s.wal.write_errors));
  SyncCounter(m.wal_repairs, s.replay.repaired ? 1.0 : 0.0);
  m.replay_seconds.Set(s.replay_seconds);
  m.rss.Set(ResidentBytes());
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  m.cpu.Set(static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
  return prometheus::TextSerializer().Serialize(m.registry.Collect());
}

}  // namespace strata
