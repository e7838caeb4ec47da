// Structured logging in logfmt: `ts=2026-11-22T12:00:00.000Z level=info
// component=wal msg="repaired wal" segment=3`. Components receive a Logger*
// (no global logger), so tests can capture or silence output.
//
// Thread safety: implementations must be safe for concurrent use.
#ifndef STRATA_TSDB_BASE_LOGGER_H_
#define STRATA_TSDB_BASE_LOGGER_H_

#include <string>
#include <string_view>

namespace strata {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

class Logger {
 public:
  virtual ~Logger() = default;
  // `fields` is pre-rendered logfmt (`key=value key2="quoted value"`), may be
  // empty.
  virtual void Log(LogLevel level, std::string_view component, std::string_view msg,
                   std::string_view fields) = 0;
};

// Writes one line per call to stderr, at `min_level` and above.
class StderrLogger final : public Logger {
 public:
  explicit StderrLogger(LogLevel min_level = LogLevel::kInfo) : min_level_(min_level) {}
  void Log(LogLevel level, std::string_view component, std::string_view msg,
           std::string_view fields) override;

 private:
  LogLevel min_level_;
};

// Discards everything.
class NullLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view, std::string_view, std::string_view) override {}
};

// Quotes `s` for logfmt if it contains spaces, quotes or '='.
std::string LogfmtValue(std::string_view s);

}  // namespace strata

#endif  // STRATA_TSDB_BASE_LOGGER_H_
