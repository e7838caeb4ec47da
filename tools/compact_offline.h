// `tsdb-tool compact`: offline compaction of a data directory, and the
// offline DB opening it shares with `snapshot`.
//
// The DB is opened like the server opens it (taking DATA_DIR/lock, replaying
// the WAL, dropping leftovers) but without background maintenance and with
// retention disabled — an offline tool must never delete data because of a
// retention default. Maintain() then cuts the head's old ranges into blocks
// and runs every planned compaction; the blocks before and after are
// printed:
//   blocks before: 4
//   removed: <ulid> [min, max) level 1
//   added:   <ulid> [min, max) level 2
//   blocks after: 2
// When a running server holds the lock the command refuses, naming the
// lock; nothing is changed.
//
// Thread safety: stateless functions.
#ifndef STRATA_TOOLS_COMPACT_OFFLINE_H_
#define STRATA_TOOLS_COMPACT_OFFLINE_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "tsdb/base/fs.h"
#include "tsdb/db.h"

namespace strata::tools {

// Opens `data_dir` (which must exist) for offline work. A held lock becomes
// FailedPrecondition "data directory <dir> is in use by a running server
// (<dir>/lock is held): <hint>"; `hint` says what to do instead.
absl::StatusOr<std::unique_ptr<DB>> OpenDbOffline(FileSystem* fs, const std::string& data_dir,
                                                  const std::string& hint);

// Runs the compaction and prints what changed. With cut_head, the whole head
// is cut into blocks first (DB::CutWholeHead), the newest range included, so
// that everything is in blocks the planner can merge.
absl::Status CompactDataDir(FileSystem* fs, const std::string& data_dir, std::ostream& out,
                            bool cut_head = false);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_COMPACT_OFFLINE_H_
