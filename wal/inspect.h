// Read-only walk over a WAL directory for inspection tools (`tsdb-tool wal
// dump` / `wal verify`). Unlike Wal::Open it never repairs, truncates, deletes
// or locks anything, so it is safe on a directory a running server owns, and
// instead of stopping at the first damage it reports every problem it finds
// and goes on with the next segment file.
//
//   std::vector<WalProblem> problems;
//   WalLayout layout;
//   RETURN_IF_ERROR(WalkWal(fs, "data/wal", fn, &layout, &problems));
//
// Order of the walk: the newest checkpoint's segments (0, 1, ...), then the
// segments after the checkpoint in index order, exactly what Open replays.
// Leftovers Open would delete (older checkpoints, checkpoint.N.tmp, segments
// the checkpoint covers) are listed in layout.ignored and not read.
//
// Thread safety: a free function over its arguments; call it from one thread
// per set of arguments. A writer appending concurrently may make the newest
// segment's tail look torn: that is reported like any other damage (its
// `what` says "torn tail of the newest segment").
#ifndef STRATA_WAL_INSPECT_H_
#define STRATA_WAL_INSPECT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "tsdb/base/fs.h"

namespace strata::wal {

// Where a record lies. `file` is relative to the WAL directory:
// "00000007" or "checkpoint.00000006/00000000".
struct RecordPosition {
  std::string file;
  bool in_checkpoint = false;
  uint32_t segment = 0;  // index within the WAL, or within the checkpoint
  uint64_t offset = 0;   // file offset of the record's first fragment
};

// One problem found; `file` as in RecordPosition ("" for the directory).
struct WalProblem {
  std::string file;
  uint64_t offset = 0;
  std::string what;  // "crc mismatch", "segment 4 is missing", ...
};

struct WalLayout {
  std::optional<uint32_t> checkpoint;  // index N of checkpoint.N, if any
  uint32_t checkpoint_segments = 0;    // segment files inside it
  std::vector<uint32_t> segments;      // read after the checkpoint, ascending
  std::vector<std::string> ignored;    // leftovers Open would delete, not read
  uint64_t bytes = 0;                  // total size of the files read
};

// Called for every record that frames correctly, in replay order. Returning
// a DataLoss error records a problem at the record's position (the record
// does not decode) and the walk goes on; any other error aborts the walk and
// is returned.
using WalRecordFn = std::function<absl::Status(const RecordPosition&, std::string_view record)>;

// Walks the WAL in `dir` (see the file comment). Damage is appended to
// *problems; the returned status is for I/O errors (a missing directory
// included) and errors of `fn` other than DataLoss. `fs` is only read.
absl::Status WalkWal(FileSystem* fs, const std::string& dir, const WalRecordFn& fn,
                     WalLayout* layout, std::vector<WalProblem>* problems);

}  // namespace strata::wal

#endif  // STRATA_WAL_INSPECT_H_
