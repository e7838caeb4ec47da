// `tsdb-tool wal dump` and `tsdb-tool wal verify`: read-only inspection of a
// WAL directory (data/wal) through wal::WalkWal, so both are safe on a
// directory a running server owns: no lock is taken, nothing is repaired.
//
// dump prints one line per record entry, in replay order:
//   <file> <offset> series ref=<ref> {__name__="up", job="a"}
//   <file> <offset> sample ref=<ref> t=<ms> v=<value>
//   <file> <offset> tombstone ref=<ref> mint=<ms> maxt=<ms>
//   <file> <offset> metadata ref=<ref> type=<counter> unit="<u>" help="<h>"
// <file> is relative to the WAL directory ("00000003",
// "checkpoint.00000002/00000000"), <offset> the byte offset of the record's
// first fragment. Values print as Go's %g (shortest round-trip digits; see
// AppendGoFloat); NaNs print as "NaN" for the normal NaNs, "StaleNaN" for
// the stale marker 0x7ff0000000000002, else "NaN(0x<bits>)".
//
// verify decodes every record and prints each problem as
//   <file> offset <n>: <what>
// followed by a summary (segments, records by type, series, samples, time
// range).
//
// Thread safety: stateless functions.
#ifndef STRATA_TOOLS_WAL_TOOL_H_
#define STRATA_TOOLS_WAL_TOOL_H_

#include <array>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/base/fs.h"
#include "wal/inspect.h"

namespace strata::tools {

struct WalDumpOptions {
  // Entry kinds to print: "series", "samples", "tombstones", "metadata";
  // empty prints all.
  std::vector<std::string> types;
  uint64_t limit = 0;  // stop after this many printed lines; 0: no limit
};

// Prints the records of the WAL in `wal_dir` to `out`. Damage is appended to
// *problems (the readable rest is still printed). Errors: I/O.
absl::Status DumpWal(FileSystem* fs, const std::string& wal_dir, const WalDumpOptions& options,
                     std::ostream& out, std::vector<wal::WalProblem>* problems);

struct WalSummary {
  wal::WalLayout layout;
  std::vector<wal::WalProblem> problems;
  std::array<uint64_t, 5> records{};  // by wal::RecordType (index 0: unknown type)
  uint64_t series = 0;                // series entries
  uint64_t distinct_series = 0;       // distinct refs among them
  uint64_t samples = 0;
  uint64_t samples_unknown_series = 0;  // ref without an earlier series entry
  uint64_t tombstones = 0;
  uint64_t metadata = 0;
  int64_t min_t = std::numeric_limits<int64_t>::max();  // over samples
  int64_t max_t = std::numeric_limits<int64_t>::min();
};

// Reads and decodes everything. Damage is in the summary's problems; the
// status is for I/O errors.
absl::StatusOr<WalSummary> VerifyWal(FileSystem* fs, const std::string& wal_dir);
// The human-readable summary (several lines).
void PrintWalSummary(const WalSummary& summary, const std::string& wal_dir, std::ostream& out);
// "<file> offset <n>: <what>".
std::string FormatWalProblem(const wal::WalProblem& problem);

// The subcommands: WAL = data_dir/wal; output to stdout, "tsdb-tool: ..." to
// stderr; return the exit status (1 on damage or failure).
int RunWalDump(const std::string& data_dir, const WalDumpOptions& options);
int RunWalVerify(const std::string& data_dir);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_WAL_TOOL_H_
