// tools/snapshot_offline.h: DB::Open + Snapshot.
#include "tools/snapshot_offline.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/compact_offline.h"
#include "tools/list_blocks.h"
#include "tsdb/base/status_macros.h"

namespace strata::tools {

absl::Status SnapshotDataDir(FileSystem* fs, const std::string& data_dir,
                             const std::string& out_dir, bool skip_head, std::ostream& out) {
  if (fs->Exists(out_dir)) {
    return absl::AlreadyExistsError(
        absl::StrCat("snapshot directory ", out_dir, " already exists"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<DB> db,
                   OpenDbOffline(fs, data_dir,
                                 "use the server's POST /api/v1/admin/tsdb/snapshot (enabled by "
                                 "--web.enable-admin-api) instead"));
  absl::Status s = db->Snapshot(out_dir, skip_head);
  absl::Status closed = db->Close();
  RETURN_IF_ERROR(AnnotateStatus(s, absl::StrCat("snapshot to ", out_dir)));
  RETURN_IF_ERROR(closed);
  ASSIGN_OR_RETURN(std::vector<OpenedBlock> opened, OpenBlocksReadOnly(fs, out_dir));
  std::vector<std::shared_ptr<block::Block>> blocks;
  for (const OpenedBlock& o : opened) {
    if (o.block == nullptr) return AnnotateStatus(o.error, absl::StrCat("snapshot block ", o.name));
    blocks.push_back(o.block);
  }
  out << "snapshot of " << data_dir << " written to " << out_dir << ": " << blocks.size()
      << " block(s)\n";
  WriteBlockTable(blocks, /*human=*/false, out);
  out.flush();
  return absl::OkStatus();
}

}  // namespace strata::tools
