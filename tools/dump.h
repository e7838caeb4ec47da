// `tsdb-tool dump` and `tsdb-tool dump-openmetrics`: every sample of a data
// directory — its blocks and its head — as promtool tsdb dump prints them.
//
// The data is opened read-only, without the lock, so both work on a
// directory a running server owns: blocks with block::Block::Open, the head
// by walking DATA_DIR/wal with wal::WalkWal (which never repairs anything)
// and replaying each record into an in-memory Head without a WAL. The
// queriers are merged with NewMergeQuerier: series in label order, samples
// in time order, a timestamp present in several sources printed once
// (blocks listed first win, then the head).
//
//   dump:             {__name__="up", job="a"} 1 1700000000000
//   dump-openmetrics: up{job="a"} 1 1700000000.000   ... then "# EOF"
//
// Damage: a block that fails to open is an error (nothing is printed); WAL
// damage is reported on stderr as "tsdb-tool: warning: wal <file> offset
// <n>: <what>" and the readable rest is dumped — a writer appending
// concurrently can make the newest segment's tail look torn. Any damage
// makes the exit status 1 after the output.
//
// Thread safety: stateless functions.
#ifndef STRATA_TOOLS_DUMP_H_
#define STRATA_TOOLS_DUMP_H_

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/base/fs.h"
#include "wal/inspect.h"

namespace strata::tools {

struct DumpOptions {
  int64_t min_time = std::numeric_limits<int64_t>::min();  // inclusive, ms
  int64_t max_time = std::numeric_limits<int64_t>::max();  // inclusive, ms
  // Series selectors; a series is dumped when any of them selects it. Empty:
  // every series.
  std::vector<std::string> match;
  bool openmetrics = false;
};

// Writes the samples to `out`. WAL damage is appended to *wal_problems.
// Errors: bad selector (InvalidArgument), missing directory, a block that
// does not open, I/O.
absl::Status DumpData(FileSystem* fs, const std::string& data_dir, const DumpOptions& options,
                      std::ostream& out, std::vector<wal::WalProblem>* wal_problems);

// The subcommand: output on `out`, errors and warnings on stderr; returns
// the exit status.
int RunDump(FileSystem* fs, const std::string& data_dir, const DumpOptions& options,
            std::ostream& out);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_DUMP_H_
