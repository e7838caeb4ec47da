// `tsdb-tool list` and the block helpers the other block subcommands share.
//
// Every function here only reads: blocks are opened directly with
// block::Block::Open, no lock is taken, so they are safe on a data directory
// a running server owns. Entries of the data directory whose name is not a
// ULID (wal, lock, snapshots, "<ulid>.tmp-for-creation", ...) are skipped.
//
// list prints promtool's table (tabwriter with min width 13, padding 2):
//   BLOCK ULID  MIN TIME  MAX TIME  DURATION  NUM SAMPLES  NUM CHUNKS  NUM SERIES  SIZE
// sorted by min time (then ULID); times in milliseconds, or RFC 3339 UTC
// with -r; the duration as Go prints a time.Duration ("2h0m0s"); the size in
// bytes, or with -r as promtool's units.Base2Bytes ("1MiB512KiB3B"). A block
// that fails to open is reported after the table as
// "tsdb-tool: block <name>: <error>" and makes the exit status 1.
//
// Thread safety: stateless functions.
#ifndef STRATA_TOOLS_LIST_BLOCKS_H_
#define STRATA_TOOLS_LIST_BLOCKS_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tsdb/base/fs.h"
#include "tsdb/block/block.h"

namespace strata::tools {

// One block directory of a data directory: opened, or the reason it is not.
struct OpenedBlock {
  std::string name;                     // the directory name (a ULID)
  std::shared_ptr<block::Block> block;  // null when `error` is set
  absl::Status error;
};

// Opens every block of `data_dir` read-only. Sound blocks come first, sorted
// by (min time, ULID); failed ones after them, sorted by name. Errors: the
// directory cannot be listed (NotFound when it does not exist).
absl::StatusOr<std::vector<OpenedBlock>> OpenBlocksReadOnly(FileSystem* fs,
                                                            const std::string& data_dir);

// Go's time.Duration.String() of `ms` milliseconds: "0s", "500ms", "15s",
// "1.5s", "2h0m0s", "-1m0s".
std::string FormatGoDurationMs(int64_t ms);
// units.Base2Bytes(n).String() as promtool prints sizes with -r: "0B",
// "512B", "1KiB", "1MiB512KiB3B".
std::string FormatBase2Bytes(uint64_t n);
// RFC 3339 UTC: "2023-11-14T22:13:20Z", "2023-11-14T22:13:20.123Z".
std::string FormatRfc3339Ms(int64_t ms);

// Writes `rows` as Go's text/tabwriter does with minwidth 13, tabwidth 0,
// padding 2, ' ' padding: every cell but the last of a row is padded to its
// column's width (the widest cell + 2, at least 13).
void WriteTable(const std::vector<std::vector<std::string>>& rows, std::ostream& out);
// The list table of `blocks` (header included).
void WriteBlockTable(const std::vector<std::shared_ptr<block::Block>>& blocks, bool human,
                     std::ostream& out);

// `tsdb-tool list`: the table on `out`, failures on stderr. Returns the exit
// status.
int RunList(FileSystem* fs, const std::string& data_dir, bool human, std::ostream& out);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_LIST_BLOCKS_H_
