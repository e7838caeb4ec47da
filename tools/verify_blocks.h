// `tsdb-tool verify`: checks a whole data directory, read-only (no lock, so
// it works while a server owns the directory).
//
//  - every block: Block::Open (meta.json, the index's table of contents and
//    section CRCs), then Block::Verify (every CRC, index consistency, chunk
//    order and bounds). Each problem prints as
//      block <ulid>: <file> offset <n>: <what>
//    (a block that does not open prints its open error instead);
//  - overlapping blocks are listed ("overlap: <ulid> [a, b) and <ulid>
//    [c, d)"): not damage — backfilled blocks overlap until the server merges
//    them (vertical compaction) — but worth knowing;
//  - the WAL (DATA_DIR/wal, if present) through tools/wal_tool.h's
//    VerifyWal: each problem as "wal <file> offset <n>: <what>". A writer
//    appending concurrently can make the newest segment's tail look torn;
//    that is reported too.
// Then a summary line. Exit status 1 when any damage was found.
//
// Thread safety: stateless functions.
#ifndef STRATA_TOOLS_VERIFY_BLOCKS_H_
#define STRATA_TOOLS_VERIFY_BLOCKS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tsdb/base/fs.h"

namespace strata::tools {

struct VerifyReport {
  uint64_t blocks = 0;  // block directories checked
  uint64_t series = 0;  // totals over the sound blocks' meta
  uint64_t chunks = 0;
  uint64_t samples = 0;
  std::vector<std::string> damage;    // one line each, as printed
  std::vector<std::string> overlaps;  // one line each, as printed
  bool wal_checked = false;
  uint64_t wal_segments = 0;
  uint64_t wal_records = 0;
};

// Checks `data_dir`. Errors: the directory cannot be read (damage is in the
// report, not an error).
absl::StatusOr<VerifyReport> VerifyDataDir(FileSystem* fs, const std::string& data_dir);
// The report's lines: damage, overlaps, then the summary.
void PrintVerifyReport(const VerifyReport& report, std::ostream& out);
// The subcommand; returns the exit status.
int RunVerify(FileSystem* fs, const std::string& data_dir, std::ostream& out);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_VERIFY_BLOCKS_H_
