#include "bench/workload/synthetic.h"

#include <cmath>
#include <string>

#include "bench/workload/noise.h"
#include "fmt/format.h"

namespace strata::bench {
namespace {

struct Family {
  const char* name;
  SyntheticWorkload::Kind kind;
  const char* device_prefix;
};

// 50 families per target × 20 devices = 1,000 series per target.
constexpr Family kFamilies[] = {
    {"node_cpu_seconds_total", SyntheticWorkload::Kind::kCounterSeconds, "cpu"},
    {"node_cpu_guest_seconds_total", SyntheticWorkload::Kind::kCounterSeconds, "cpu"},
    {"node_network_receive_bytes_total", SyntheticWorkload::Kind::kCounterInt, "eth"},
    {"node_network_transmit_bytes_total", SyntheticWorkload::Kind::kCounterInt, "eth"},
    {"node_network_receive_packets_total", SyntheticWorkload::Kind::kCounterInt, "eth"},
    {"node_network_transmit_packets_total", SyntheticWorkload::Kind::kCounterInt, "eth"},
    {"node_network_receive_errs_total", SyntheticWorkload::Kind::kConstant, "eth"},
    {"node_network_transmit_errs_total", SyntheticWorkload::Kind::kConstant, "eth"},
    {"node_network_receive_drop_total", SyntheticWorkload::Kind::kConstant, "eth"},
    {"node_network_up", SyntheticWorkload::Kind::kConstant, "eth"},
    {"node_network_mtu_bytes", SyntheticWorkload::Kind::kConstant, "eth"},
    {"node_network_speed_bytes", SyntheticWorkload::Kind::kConstant, "eth"},
    {"node_disk_read_bytes_total", SyntheticWorkload::Kind::kCounterInt, "sd"},
    {"node_disk_written_bytes_total", SyntheticWorkload::Kind::kCounterInt, "sd"},
    {"node_disk_reads_completed_total", SyntheticWorkload::Kind::kCounterInt, "sd"},
    {"node_disk_writes_completed_total", SyntheticWorkload::Kind::kCounterInt, "sd"},
    {"node_disk_io_time_seconds_total", SyntheticWorkload::Kind::kCounterSeconds, "sd"},
    {"node_disk_read_time_seconds_total", SyntheticWorkload::Kind::kCounterSeconds, "sd"},
    {"node_disk_write_time_seconds_total", SyntheticWorkload::Kind::kCounterSeconds, "sd"},
    {"node_disk_io_now", SyntheticWorkload::Kind::kGaugeWalk, "sd"},
    {"node_filesystem_avail_bytes", SyntheticWorkload::Kind::kGaugeWalk, "vol"},
    {"node_filesystem_free_bytes", SyntheticWorkload::Kind::kGaugeWalk, "vol"},
    {"node_filesystem_size_bytes", SyntheticWorkload::Kind::kConstant, "vol"},
    {"node_filesystem_files", SyntheticWorkload::Kind::kConstant, "vol"},
    {"node_filesystem_files_free", SyntheticWorkload::Kind::kGaugeWalk, "vol"},
    {"node_filesystem_readonly", SyntheticWorkload::Kind::kConstant, "vol"},
    {"node_filesystem_device_error", SyntheticWorkload::Kind::kConstant, "vol"},
    {"node_memory_MemFree_bytes", SyntheticWorkload::Kind::kGaugeWalk, "numa"},
    {"node_memory_Cached_bytes", SyntheticWorkload::Kind::kGaugeWalk, "numa"},
    {"node_memory_Buffers_bytes", SyntheticWorkload::Kind::kGaugeWalk, "numa"},
    {"node_memory_Active_bytes", SyntheticWorkload::Kind::kGaugeWalk, "numa"},
    {"node_memory_MemTotal_bytes", SyntheticWorkload::Kind::kConstant, "numa"},
    {"node_load1", SyntheticWorkload::Kind::kGaugeWalk, "core"},
    {"node_load5", SyntheticWorkload::Kind::kGaugeWalk, "core"},
    {"node_load15", SyntheticWorkload::Kind::kGaugeWalk, "core"},
    {"node_context_switches_total", SyntheticWorkload::Kind::kCounterInt, "core"},
    {"node_intr_total", SyntheticWorkload::Kind::kCounterInt, "core"},
    {"node_forks_total", SyntheticWorkload::Kind::kCounterInt, "core"},
    {"node_procs_running", SyntheticWorkload::Kind::kGaugeWalk, "core"},
    {"node_procs_blocked", SyntheticWorkload::Kind::kGaugeWalk, "core"},
    {"node_sockstat_TCP_inuse", SyntheticWorkload::Kind::kGaugeWalk, "ns"},
    {"node_sockstat_TCP_tw", SyntheticWorkload::Kind::kGaugeSaw, "ns"},
    {"node_netstat_Tcp_ActiveOpens", SyntheticWorkload::Kind::kCounterInt, "ns"},
    {"node_netstat_Tcp_PassiveOpens", SyntheticWorkload::Kind::kCounterInt, "ns"},
    {"node_timex_offset_seconds", SyntheticWorkload::Kind::kGaugeWalk, "clk"},
    {"node_scrape_collector_duration_seconds", SyntheticWorkload::Kind::kGaugeSaw, "col"},
    {"node_scrape_collector_success", SyntheticWorkload::Kind::kConstant, "col"},
    {"node_textfile_scrape_error", SyntheticWorkload::Kind::kConstant, "col"},
    {"node_uname_info", SyntheticWorkload::Kind::kConstant, "host"},
    {"node_boot_time_seconds", SyntheticWorkload::Kind::kConstant, "host"},
};
constexpr int kNumFamilies = sizeof(kFamilies) / sizeof(kFamilies[0]);
static_assert(SyntheticWorkload::kSeriesPerTarget % kNumFamilies == 0);

const Family& FamilyOf(uint64_t i) {
  return kFamilies[(i % SyntheticWorkload::kSeriesPerTarget) % kNumFamilies];
}
uint64_t DeviceOf(uint64_t i) { return (i % SyntheticWorkload::kSeriesPerTarget) / kNumFamilies; }
uint64_t TargetOf(uint64_t i) { return i / SyntheticWorkload::kSeriesPerTarget; }

}  // namespace

SyntheticWorkload::SyntheticWorkload(uint64_t num_series, int64_t start_ms, int64_t interval_ms,
                                     uint64_t seed)
    : start_ms_(start_ms), interval_ms_(interval_ms), seed_(seed) {
  kinds_.resize(num_series);
  values_.resize(num_series);
  steps_.resize(num_series);
  for (uint64_t i = 0; i < num_series; ++i) {
    kinds_[i] = FamilyOf(i).kind;
    double u = Unit(seed ^ (i * 7919));
    switch (kinds_[i]) {
      case Kind::kCounterSeconds:
        values_[i] = std::round(u * 1e6) / 100;
        break;
      case Kind::kCounterInt:
        values_[i] = std::floor(u * 1e12);
        break;
      case Kind::kGaugeWalk:
        values_[i] = std::round(u * 1e5) / 100;
        break;
      case Kind::kGaugeSaw:
        values_[i] = 0;
        break;
      case Kind::kConstant:
        values_[i] = u < 0.5 ? 1 : std::floor(u * 1e9);
        break;
    }
  }
}

Labels SyntheticWorkload::SeriesLabels(uint64_t i) const {
  const Family& f = FamilyOf(i);
  uint64_t t = TargetOf(i);
  std::string device = fmt::format("{}{}", f.device_prefix, DeviceOf(i));
  std::string cluster = fmt::format("cluster-{}", t / 500);
  std::string instance = fmt::format("10.{}.{}.{}:9100", (t >> 16) & 255, (t >> 8) & 255, t & 255);
  std::string node = fmt::format("worker-{}", t);
  std::string pod = fmt::format("node-exporter-{:06x}", Mix(t) & 0xffffff);
  std::string region = fmt::format("eu-west-{}", t % 3);
  return Labels::FromStrings({"__name__", f.name,          "cluster",   cluster,      "device",
                              device,     "env",           "prod",      "instance",   instance,
                              "job",      "node-exporter", "namespace", "monitoring", "node",
                              node,       "pod",           pod,         "region",     region});
}

int64_t SyntheticWorkload::Timestamp(uint64_t i, uint64_t round) const {
  uint64_t t = TargetOf(i);
  // Each target scrapes at its own offset within the interval. Most scrapes
  // land on their slot to the millisecond; one in four is 1-3 ms late or
  // early, as a scrape loop on a busy machine is.
  int64_t offset = static_cast<int64_t>(Mix(seed_ ^ t) % static_cast<uint64_t>(interval_ms_));
  uint64_t r = Mix(seed_ ^ (t << 20) ^ round);
  int64_t jitter = r % 4 != 0 ? 0 : static_cast<int64_t>((r >> 8) % 7) - 3;
  return start_ms_ + static_cast<int64_t>(round) * interval_ms_ + offset + jitter;
}

double SyntheticWorkload::NextValue(uint64_t i) {
  uint32_t step = steps_[i]++;
  double u = Unit(seed_ ^ (i << 24) ^ step);
  // A fixed per-series rate, so counters grow steadily with noise around it.
  double rate = Unit(seed_ ^ ~i);
  const double interval_s = static_cast<double>(interval_ms_) / 1000;
  double& v = values_[i];
  switch (kinds_[i]) {
    case Kind::kCounterSeconds:
      // CPU-style seconds in hundredths: utilisation `rate` of one core.
      v = std::round((v + interval_s * rate * (0.9 + 0.2 * u)) * 100) / 100;
      break;
    case Kind::kCounterInt:
      // Bytes/packets: up to ~1000 events/s per series, ±10%.
      v += std::round(interval_s * rate * 1000 * (0.9 + 0.2 * u));
      break;
    case Kind::kGaugeWalk:
      // Levels that drift by small steps, in hundredths.
      v = std::round((v + (u - 0.5) * rate * 4) * 100) / 100;
      break;
    case Kind::kGaugeSaw:
      v = (step % 40) * 0.25;
      break;
    case Kind::kConstant:
      break;
  }
  return v;
}

}  // namespace strata::bench
