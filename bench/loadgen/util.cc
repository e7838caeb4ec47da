#include "bench/loadgen/util.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "fmt/format.h"

namespace strata::loadgen {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The "NNN kB" value of `key` in a /proc/PID/status text, in bytes.
std::optional<uint64_t> StatusKb(const std::string& status, std::string_view key) {
  size_t pos = status.find(fmt::format("\n{}:", key));
  if (pos == std::string::npos) return std::nullopt;
  pos += key.size() + 2;
  while (pos < status.size() && (status[pos] == ' ' || status[pos] == '\t')) ++pos;
  uint64_t kb = 0;
  auto [end, ec] = std::from_chars(status.data() + pos, status.data() + status.size(), kb);
  if (ec != std::errc()) return std::nullopt;
  return kb * 1024;
}

}  // namespace

std::optional<int64_t> ParseDurationMs(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double total_ms = 0;
  size_t i = 0;
  while (i < s.size()) {
    double number = 0;
    auto [end, ec] = std::from_chars(s.data() + i, s.data() + s.size(), number);
    if (ec != std::errc() || number < 0) return std::nullopt;
    i = end - s.data();
    size_t unit_end = i;
    while (unit_end < s.size() && std::isalpha(static_cast<unsigned char>(s[unit_end]))) {
      ++unit_end;
    }
    std::string_view unit = s.substr(i, unit_end - i);
    double scale;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s" || (unit.empty() && i == s.size() && total_ms == 0)) {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else {
      return std::nullopt;
    }
    total_ms += number * scale;
    i = unit_end;
  }
  return static_cast<int64_t>(std::llround(total_ms));
}

std::optional<Url> ParseUrl(std::string_view s) {
  constexpr std::string_view kScheme = "http://";
  if (s.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  s.remove_prefix(kScheme.size());
  Url url;
  size_t slash = s.find('/');
  std::string_view authority = s.substr(0, slash);
  url.path = slash == std::string_view::npos ? "/api/v1/write" : std::string(s.substr(slash));
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), url.port);
    if (ec != std::errc() || end != port.data() + port.size() || url.port <= 0 ||
        url.port > 65535) {
      return std::nullopt;
    }
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return std::nullopt;
  url.host = std::string(authority);
  return url;
}

std::optional<double> ProcessCpuSeconds(int pid) {
  std::optional<std::string> stat = ReadFile(fmt::format("/proc/{}/stat", pid));
  if (!stat) return std::nullopt;
  // The command name (field 2) is in parentheses and may hold spaces or
  // parentheses itself: fields are counted from after the last ')'.
  size_t paren = stat->rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(stat->substr(paren + 1));
  std::string field;
  uint64_t utime = 0, stime = 0;
  // After ')': field 3 (state) is the first; utime is field 14, stime 15.
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n == 14) utime = std::stoull(field);
    if (n == 15) stime = std::stoull(field);
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  return static_cast<double>(utime + stime) / static_cast<double>(ticks > 0 ? ticks : 100);
}

std::optional<ProcessMemory> ReadProcessMemory(int pid) {
  std::optional<std::string> status = ReadFile(fmt::format("/proc/{}/status", pid));
  if (!status) return std::nullopt;
  std::optional<uint64_t> rss = StatusKb(*status, "VmRSS");
  std::optional<uint64_t> hwm = StatusKb(*status, "VmHWM");
  if (!rss || !hwm) return std::nullopt;
  return ProcessMemory{*rss, *hwm};
}

double SelfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

}  // namespace strata::loadgen
