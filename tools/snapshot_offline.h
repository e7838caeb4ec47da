// `tsdb-tool snapshot`: an offline, consistent copy of a data directory
// (DB::Snapshot): blocks hard-linked where possible and, unless skip_head,
// the head (replayed from the WAL) written as one more block. The copy is a
// data directory without a WAL that strata and tsdb-tool open directly.
//
// It takes the directory's lock; while a server holds it the command refuses
// and points at the server's POST /api/v1/admin/tsdb/snapshot (available with
// --web.enable-admin-api), which snapshots without stopping it.
//
// Thread safety: stateless function.
#ifndef STRATA_TOOLS_SNAPSHOT_OFFLINE_H_
#define STRATA_TOOLS_SNAPSHOT_OFFLINE_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "tsdb/base/fs.h"

namespace strata::tools {

// Writes the snapshot of `data_dir` to `out_dir` (which must not exist) and
// prints "snapshot of <data_dir> written to <out_dir>: <n> block(s)" and the
// block table.
absl::Status SnapshotDataDir(FileSystem* fs, const std::string& data_dir,
                             const std::string& out_dir, bool skip_head, std::ostream& out);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_SNAPSHOT_OFFLINE_H_
