// tools/verify_blocks.h: Block::Verify over every block, overlaps, the WAL.
#include "tools/verify_blocks.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/commands.h"
#include "tools/list_blocks.h"
#include "tools/wal_tool.h"

namespace strata::tools {
namespace {

std::string Range(const block::BlockMeta& m) {
  return absl::StrCat(m.ulid, " [", m.min_time, ", ", m.max_time, ")");
}

// Every pair of sound blocks whose [min, max) ranges intersect. `blocks` is
// sorted by min time, so each block is compared with the following ones
// until one starts at or after its end.
void FindOverlaps(const std::vector<OpenedBlock>& blocks, VerifyReport* report) {
  for (size_t i = 0; i < blocks.size() && blocks[i].block != nullptr; ++i) {
    const block::BlockMeta& a = blocks[i].block->meta();
    for (size_t j = i + 1; j < blocks.size() && blocks[j].block != nullptr; ++j) {
      const block::BlockMeta& b = blocks[j].block->meta();
      if (b.min_time >= a.max_time) break;
      report->overlaps.push_back(absl::StrCat("overlap: ", Range(a), " and ", Range(b)));
    }
  }
}

absl::Status VerifyWalOf(FileSystem* fs, const std::string& data_dir, VerifyReport* report) {
  const std::string wal_dir = JoinPath(data_dir, "wal");
  if (!fs->IsDir(wal_dir)) return absl::OkStatus();
  absl::StatusOr<WalSummary> wal = VerifyWal(fs, wal_dir);
  if (!wal.ok()) return wal.status();
  report->wal_checked = true;
  report->wal_segments = wal->layout.segments.size() + wal->layout.checkpoint_segments;
  for (uint64_t n : wal->records) report->wal_records += n;
  for (const wal::WalProblem& p : wal->problems) {
    report->damage.push_back(absl::StrCat("wal ", FormatWalProblem(p)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<VerifyReport> VerifyDataDir(FileSystem* fs, const std::string& data_dir) {
  absl::StatusOr<std::vector<OpenedBlock>> blocks = OpenBlocksReadOnly(fs, data_dir);
  if (!blocks.ok()) return blocks.status();
  VerifyReport report;
  for (const OpenedBlock& o : *blocks) {
    ++report.blocks;
    if (o.block == nullptr) {
      report.damage.push_back(absl::StrCat("block ", o.name, ": ", o.error.message()));
      continue;
    }
    const block::BlockMeta& m = o.block->meta();
    report.series += m.num_series;
    report.chunks += m.num_chunks;
    report.samples += m.num_samples;
    // The same damage can be found by two checks (e.g. the chunk file scan
    // and the series walk); print it once.
    std::set<std::string> seen;
    for (const block::Damage& d : o.block->Verify()) {
      std::string line =
          absl::StrCat("block ", o.name, ": ", d.file, " offset ", d.offset, ": ", d.what);
      if (seen.insert(line).second) report.damage.push_back(std::move(line));
    }
  }
  FindOverlaps(*blocks, &report);
  if (absl::Status s = VerifyWalOf(fs, data_dir, &report); !s.ok()) return s;
  return report;
}

void PrintVerifyReport(const VerifyReport& r, std::ostream& out) {
  for (const std::string& line : r.damage) out << line << "\n";
  for (const std::string& line : r.overlaps) out << line << "\n";
  out << "blocks: " << r.blocks << " (" << r.series << " series, " << r.chunks << " chunks, "
      << r.samples << " samples)";
  if (!r.overlaps.empty()) {
    out << ", " << r.overlaps.size()
        << " overlapping pair(s): the server merges them (vertical compaction)";
  }
  out << "\n";
  if (r.wal_checked) {
    out << "wal: " << r.wal_segments << " segment(s), " << r.wal_records << " record(s)\n";
  } else {
    out << "wal: none\n";
  }
  if (r.damage.empty()) {
    out << "no damage found\n";
  } else {
    out << r.damage.size() << " problem(s) found\n";
  }
}

int RunVerify(FileSystem* fs, const std::string& data_dir, std::ostream& out) {
  absl::StatusOr<VerifyReport> report = VerifyDataDir(fs, data_dir);
  if (!report.ok()) {
    PrintError(std::string(report.status().message()));
    return kExitFailure;
  }
  PrintVerifyReport(*report, out);
  out.flush();
  return report->damage.empty() ? kExitOk : kExitFailure;
}

}  // namespace strata::tools
