// Small helpers for strata-loadgen: Go-style durations, http:// URLs, and
// another process's CPU time and memory from /proc.
#ifndef STRATA_BENCH_LOADGEN_UTIL_H_
#define STRATA_BENCH_LOADGEN_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::loadgen {

// Parses a Go-style duration such as "15s", "500ms", "1m30s" or "2h" into
// milliseconds. A bare number means seconds. Returns nullopt when malformed
// or negative.
std::optional<int64_t> ParseDurationMs(std::string_view s);

struct Url {
  std::string host;
  int port = 80;
  std::string path;
};
// Parses "http://HOST[:PORT][/PATH]" (path defaults to /api/v1/write).
// Only plain http: the load generator talks to 127.0.0.1.
std::optional<Url> ParseUrl(std::string_view s);

// utime + stime of process `pid` in seconds (/proc/PID/stat, clock ticks
// from sysconf(_SC_CLK_TCK)); nullopt when the process is gone.
std::optional<double> ProcessCpuSeconds(int pid);

struct ProcessMemory {
  uint64_t rss_bytes = 0;   // VmRSS
  uint64_t peak_bytes = 0;  // VmHWM: the high-water mark of the RSS
};
std::optional<ProcessMemory> ReadProcessMemory(int pid);

// This process's own CPU seconds (user + system, all threads).
double SelfCpuSeconds();

}  // namespace strata::loadgen

#endif  // STRATA_BENCH_LOADGEN_UTIL_H_
