#include "tsdb/base/logger.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fmt/format.h"

namespace strata {
namespace {

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

}  // namespace

std::string LogfmtValue(std::string_view s) {
  bool needs_quotes = s.empty() || s.find_first_of(" \"=\t\n\\") != std::string_view::npos;
  if (!needs_quotes) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

void StderrLogger::Log(LogLevel level, std::string_view component, std::string_view msg,
                       std::string_view fields) {
  if (level < min_level_) return;
  std::string line =
      fmt::format("ts={} level={} component={} msg={}",
                  absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                  LevelName(level), component, LogfmtValue(msg));
  if (!fields.empty()) fmt::format_to(std::back_inserter(line), " {}", fields);
  line += '\n';
  // One fwrite per line keeps concurrent lines from interleaving.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace strata
