// The `node` profile of strata-querybench's dataset (dataset.h): 1,000 series
// a target, shaped after a real node-exporter on a 16-CPU machine (per-CPU
// families are the bulk, as they are there) plus the Go runtime's and an
// instrumented service's series. The families the dashboard suite queries
// (suite.cc) keep the compact profile's names and labels.
#include <string>

#include "bench/querybench/dataset.h"
#include "fmt/format.h"

namespace strata::querybench {

void Dataset::AddNodeTemplates() {
  constexpr int kCpus = 16;
  auto add = [this](std::string name, LabelPairs labels, Kind kind, double rate, double decimals) {
    Add(std::move(name), std::move(labels), kind, rate, decimals);
  };

  // Per CPU: 8 modes, guest time (zero on hosts without VMs), interrupts by
  // type, softnet, scheduler statistics and clock frequency: 464 series.
  const std::pair<const char*, double> modes[] = {
      {"idle", 0.7},     {"iowait", 0.02}, {"irq", 0.001},   {"nice", 0.005},
      {"softirq", 0.01}, {"steal", 0.003}, {"system", 0.06}, {"user", 0.2}};
  const char* interrupts[] = {"LOC", "RES", "CAL", "TLB", "NMI",  "PMI",
                              "IWI", "MCP", "THR", "DFR", "eth0", "nvme0q"};
  for (int cpu = 0; cpu < kCpus; ++cpu) {
    const std::string c = std::to_string(cpu);
    for (const auto& [mode, share] : modes) {
      add("node_cpu_seconds_total", {{"cpu", c}, {"mode", mode}}, Kind::kCounter, share, 2);
    }
    for (const char* mode : {"nice", "user"}) {
      add("node_cpu_guest_seconds_total", {{"cpu", c}, {"mode", mode}}, Kind::kConstant, 0, 0);
    }
    for (int i = 0; i < 12; ++i) {
      add("node_interrupts_total", {{"cpu", c}, {"type", interrupts[i]}},
          i < 4 ? Kind::kCounter : Kind::kConstant, i < 4 ? 200.0 / (i + 1) : 3, 0);
    }
    add("node_softnet_processed_total", {{"cpu", c}}, Kind::kCounter, 150, 0);
    add("node_softnet_dropped_total", {{"cpu", c}}, Kind::kConstant, 0, 0);
    add("node_softnet_times_squeezed_total", {{"cpu", c}}, Kind::kCounter, 0.01, 0);
    add("node_schedstat_running_seconds_total", {{"cpu", c}}, Kind::kCounter, 0.3, 9);
    add("node_schedstat_waiting_seconds_total", {{"cpu", c}}, Kind::kCounter, 0.02, 9);
    add("node_schedstat_timeslices_total", {{"cpu", c}}, Kind::kCounter, 300, 0);
    add("node_cpu_scaling_frequency_hertz", {{"cpu", c}}, Kind::kGauge, 2.4e9, -3);
  }

  // Memory: 24 series.
  const std::pair<const char*, double> memory_gauges[] = {
      {"MemAvailable", 8e9}, {"MemFree", 2e9},      {"Cached", 4e9},      {"Buffers", 5e8},
      {"Active", 6e9},       {"Inactive", 3e9},     {"Dirty", 2e6},       {"Writeback", 1e4},
      {"Slab", 4e8},         {"SReclaimable", 3e8}, {"SUnreclaim", 1e8},  {"Shmem", 5e7},
      {"Mapped", 3e8},       {"AnonPages", 3e9},    {"PageTables", 4e7},  {"KernelStack", 2e7},
      {"Committed_AS", 9e9}, {"SwapCached", 1e6},   {"Active_anon", 2e9}, {"Inactive_file", 2e9}};
  for (const auto& [name, level] : memory_gauges) {
    add(fmt::format("node_memory_{}_bytes", name), {}, Kind::kGauge, level, 0);
  }
  add("node_memory_MemTotal_bytes", {}, Kind::kConstant, 64e9, 0);
  add("node_memory_SwapTotal_bytes", {}, Kind::kConstant, 0, 0);
  add("node_memory_SwapFree_bytes", {}, Kind::kConstant, 0, 0);
  add("node_memory_HugePages_Total", {}, Kind::kConstant, 0, 0);

  // Host-wide: 14 series.
  add("node_load1", {}, Kind::kGauge, 6, 2);
  add("node_load5", {}, Kind::kGauge, 5.6, 2);
  add("node_load15", {}, Kind::kGauge, 5.2, 2);
  add("node_procs_running", {}, Kind::kGauge, 8, 0);
  add("node_procs_blocked", {}, Kind::kGauge, 1, 0);
  add("node_context_switches_total", {}, Kind::kCounter, 20000, 0);
  add("node_intr_total", {}, Kind::kCounter, 15000, 0);
  add("node_forks_total", {}, Kind::kCounter, 30, 0);
  add("node_boot_time_seconds", {}, Kind::kConstant, 1.79e9, 0);
  add("node_entropy_available_bits", {}, Kind::kGaugeWalk, 256, 0);
  add("up", {}, Kind::kConstant, 1, 0);
  add("process_resident_memory_bytes", {}, Kind::kGaugeSaw, 3e7, 0);
  add("process_cpu_seconds_total", {}, Kind::kCounter, 0.02, 2);
  add("process_open_fds", {}, Kind::kGaugeSaw, 12, 0);

  // 8 network devices x 13 series.
  const char* net_devices[] = {"eth0", "eth1",    "eth2", "eth3",
                               "lo",   "docker0", "cni0", "flannel.1"};
  for (int i = 0; i < 8; ++i) {
    const LabelPairs d = {{"device", net_devices[i]}};
    const double load = 1.0 / (1 + i);
    add("node_network_receive_bytes_total", d, Kind::kCounter, 2e6 * load, 0);
    add("node_network_transmit_bytes_total", d, Kind::kCounter, 1e6 * load, 0);
    add("node_network_receive_packets_total", d, Kind::kCounter, 3000 * load, 0);
    add("node_network_transmit_packets_total", d, Kind::kCounter, 2000 * load, 0);
    add("node_network_receive_errs_total", d, Kind::kConstant, 0, 0);
    add("node_network_transmit_errs_total", d, Kind::kConstant, 0, 0);
    add("node_network_receive_drop_total", d, Kind::kCounter, 0.002, 0);
    add("node_network_transmit_drop_total", d, Kind::kConstant, 0, 0);
    add("node_network_up", d, Kind::kConstant, 1, 0);
    add("node_network_mtu_bytes", d, Kind::kConstant, i == 4 ? 65536 : 1500, 0);
    add("node_network_speed_bytes", d, Kind::kConstant, 1.25e9, 0);
    add("node_network_carrier_changes_total", d, Kind::kConstant, 2, 0);
    add("node_arp_entries", d, Kind::kGaugeWalk, 20, 0);
  }

  // 8 disks x 10 series.
  const char* disks[] = {"sda", "sdb", "sdc", "sdd", "nvme0n1", "nvme1n1", "dm-0", "dm-1"};
  for (const char* disk : disks) {
    const LabelPairs d = {{"device", disk}};
    add("node_disk_read_bytes_total", d, Kind::kCounter, 5e5, 0);
    add("node_disk_written_bytes_total", d, Kind::kCounter, 2e6, 0);
    add("node_disk_reads_completed_total", d, Kind::kCounter, 100, 0);
    add("node_disk_writes_completed_total", d, Kind::kCounter, 300, 0);
    add("node_disk_reads_merged_total", d, Kind::kCounter, 10, 0);
    add("node_disk_writes_merged_total", d, Kind::kCounter, 60, 0);
    add("node_disk_io_time_seconds_total", d, Kind::kCounter, 0.05, 3);
    add("node_disk_read_time_seconds_total", d, Kind::kCounter, 0.02, 3);
    add("node_disk_write_time_seconds_total", d, Kind::kCounter, 0.2, 3);
    add("node_disk_io_now", d, Kind::kGauge, 2, 0);
  }

  // 8 filesystems x 7 series.
  const char* mountpoints[] = {"/",        "/data", "/boot", "/var/lib/docker",
                               "/var/log", "/home", "/run",  "/tmp"};
  for (int i = 0; i < 8; ++i) {
    const LabelPairs fs = {{"device", fmt::format("/dev/sd{}1", static_cast<char>('a' + i))},
                           {"fstype", i % 2 == 0 ? "ext4" : "xfs"},
                           {"mountpoint", mountpoints[i]}};
    add("node_filesystem_avail_bytes", fs, Kind::kGauge, 5e10, 0);
    add("node_filesystem_free_bytes", fs, Kind::kGauge, 5.5e10, 0);
    add("node_filesystem_files_free", fs, Kind::kGauge, 1e6, 0);
    add("node_filesystem_size_bytes", fs, Kind::kConstant, 1e11, 0);
    add("node_filesystem_files", fs, Kind::kConstant, 6.5e6, 0);
    add("node_filesystem_readonly", fs, Kind::kConstant, 0, 0);
    add("node_filesystem_device_error", fs, Kind::kConstant, 0, 0);
  }

  // Temperatures: 16 hwmon sensors and 4 thermal zones.
  for (int i = 0; i < 16; ++i) {
    add("node_hwmon_temp_celsius",
        {{"chip", "platform_coretemp_0"}, {"sensor", fmt::format("temp{}", i + 1)}}, Kind::kGauge,
        55, 0);
  }
  for (int i = 0; i < 4; ++i) {
    add("node_thermal_zone_temp", {{"type", "x86_pkg_temp"}, {"zone", std::to_string(i)}},
        Kind::kGauge, 50, 1);
  }

  // 40 collectors x (duration, success).
  for (int i = 0; i < 40; ++i) {
    const LabelPairs c = {{"collector", fmt::format("collector{:02}", i)}};
    add("node_scrape_collector_duration_seconds", c, Kind::kGauge, 0.002 * (1 + i % 5), 6);
    add("node_scrape_collector_success", c, Kind::kConstant, 1, 0);
  }

  // Protocol statistics: 30 netstat counters, 10 sockstat gauges, 20 vmstat
  // counters.
  for (const char* proto : {"Tcp", "Udp", "Ip", "Icmp", "TcpExt"}) {
    for (int i = 0; i < 6; ++i) {
      add(fmt::format("node_netstat_{}_Stat{}", proto, i), {}, Kind::kCounter, 50.0 / (1 + i), 0);
    }
  }
  for (int i = 0; i < 10; ++i) {
    add(fmt::format("node_sockstat_Stat{}", i), {}, i % 2 == 0 ? Kind::kGaugeWalk : Kind::kGaugeSaw,
        100.0 * (1 + i), 0);
  }
  for (int i = 0; i < 20; ++i) {
    add(fmt::format("node_vmstat_stat{}", i), {}, Kind::kCounter, 1000.0 / (1 + i), 0);
  }
  add("node_nf_conntrack_entries", {}, Kind::kGaugeWalk, 3000, 0);
  add("node_nf_conntrack_entries_limit", {}, Kind::kConstant, 262144, 0);
  add("node_filefd_allocated", {}, Kind::kGaugeWalk, 9000, 0);
  add("node_filefd_maximum", {}, Kind::kConstant, 9.2e18, 0);
  for (const char* device : net_devices) {
    add("node_network_info", {{"device", device}, {"operstate", "up"}}, Kind::kConstant, 1, 0);
  }

  // Go runtime: 22 series.
  for (const char* q : {"0", "0.25", "0.5", "0.75", "1"}) {
    add("go_gc_duration_seconds", {{"quantile", q}}, Kind::kGauge, 5e-5, 7);
  }
  add("go_gc_duration_seconds_count", {}, Kind::kCounter, 0.1, 0);
  add("go_gc_duration_seconds_sum", {}, Kind::kCounter, 1e-5, 6);
  add("go_goroutines", {}, Kind::kGaugeWalk, 9, 0);
  add("go_threads", {}, Kind::kConstant, 12, 0);
  for (int i = 0; i < 13; ++i) {
    add(fmt::format("go_memstats_stat{}_bytes", i), {}, Kind::kGaugeSaw, 1e6 * (1 + i), 0);
  }

  // An instrumented service: 4 handlers x (2 request counters + a classic
  // histogram of 14 series).
  const char* handlers[] = {"/api/v1/query", "/api/v1/write", "/api/v1/query_range", "/metrics"};
  for (int h = 0; h < 4; ++h) {
    add("http_requests_total", {{"code", "200"}, {"handler", handlers[h]}}, Kind::kCounter,
        HandlerRate(h), 0);
    add("http_requests_total", {{"code", "500"}, {"handler", handlers[h]}}, Kind::kCounter,
        HandlerRate(h) / 200, 0);
  }
  for (int h = 0; h < 4; ++h) AddHistogram(handlers[h], h);
}

}  // namespace strata::querybench
