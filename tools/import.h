// `tsdb-tool import openmetrics FILE [DATA_DIR]`: backfill. Turns OpenMetrics
// text with timestamps (tools/openmetrics.h) into level-1 blocks in DATA_DIR,
// one per block-duration window that holds samples, windows aligned to
// multiples of the duration (as promtool tsdb create-blocks-from openmetrics
// does).
//
// How: a first pass parses the whole file (so a syntax error changes
// nothing) and notes which windows hold samples; then one pass per such
// window collects that window's samples into a buffer (series -> sorted
// samples) and writes it with compaction::WriteBlock (crash-safe: written
// under a temporary name, fsynced, renamed). Memory is bounded by one
// window's data plus the longest line, not by the file — promtool makes the
// same pass per window.
//
// Sample order: within a window the samples of a series may come in any
// order (promtool's head refuses out-of-order samples; this tool sorts
// them). A sample repeated with the same timestamp and bit-identical value is
// stored once; the same timestamp with different values is an error naming
// the series and timestamp. HELP/TYPE/UNIT lines are checked and ignored
// (blocks carry no metadata).
//
// Locking: DATA_DIR (created if missing) is locked through
// FileSystem::LockFile(DATA_DIR/lock) for the whole import; when a running
// server holds the lock the import refuses with FailedPrecondition and
// writes nothing. On any error after blocks were written, the blocks of this
// import are removed again, so an import is all-or-nothing unless the
// process dies (then the complete blocks written so far remain).
//
// Imported blocks may overlap existing ones; the server merges overlapping
// blocks on its next compaction (vertical compaction) and queries merge them
// meanwhile. The output says so when it happens.
//
// Thread safety: stateless function.
#ifndef STRATA_TOOLS_IMPORT_H_
#define STRATA_TOOLS_IMPORT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/fs.h"
#include "tsdb/block/meta.h"

namespace strata::tools {

struct ImportOptions {
  int64_t block_duration_ms = 2 * 3600 * 1000;
  // No progress lines, no table of blocks written.
  bool quiet = false;
  // Seconds between progress lines on `progress` (stderr in the CLI).
  double progress_interval_s = 1.0;
  std::ostream* progress = nullptr;  // null: none
  const Clock* clock = nullptr;      // for the ULIDs; null: the real clock
};

struct ImportResult {
  std::vector<block::BlockMeta> blocks;  // written, by min time
  uint64_t samples = 0;                  // parsed (before de-duplication)
  uint64_t overlapping = 0;              // new blocks overlapping existing ones
};

// Imports `file` into `data_dir`; prints the created blocks' table and a
// summary on `out` unless options.quiet.
absl::StatusOr<ImportResult> ImportOpenMetrics(FileSystem* fs, const std::string& file,
                                               const std::string& data_dir,
                                               const ImportOptions& options, std::ostream& out);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_IMPORT_H_
