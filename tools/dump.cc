// tools/dump.h: blocks + WAL replayed into an in-memory head, merged.
#include "tools/dump.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "promql/parser.h"
#include "tools/commands.h"
#include "tools/list_blocks.h"
#include "tools/openmetrics.h"
#include "tools/wal_tool.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/head/head.h"
#include "tsdb/querier/merge_querier.h"

namespace strata::tools {
namespace {

constexpr size_t kFlushBytes = 1 << 16;

absl::StatusOr<std::vector<std::vector<Matcher>>> ParseSelectors(
    const std::vector<std::string>& texts) {
  std::vector<std::vector<Matcher>> sets;
  for (const std::string& text : texts) {
    absl::StatusOr<std::vector<Matcher>> m = promql::ParseMetricSelector(text);
    if (!m.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--match \"", text, "\": ", m.status().message()));
    }
    sets.push_back(std::move(*m));
  }
  return sets;
}

bool MatchesAny(const Labels& labels, const std::vector<std::vector<Matcher>>& sets) {
  for (const auto& set : sets) {
    bool all = true;
    for (const Matcher& m : set) all = all && m.Matches(labels.Get(m.name()));
    if (all) return true;
  }
  return false;
}

// Replays DATA_DIR/wal (if any) into `head`. A record that does not decode is
// a problem at its position (WalkWal records DataLoss from the callback).
absl::Status ReplayWal(FileSystem* fs, const std::string& data_dir, Head* head,
                       std::vector<wal::WalProblem>* problems) {
  const std::string wal_dir = JoinPath(data_dir, "wal");
  if (!fs->IsDir(wal_dir)) return absl::OkStatus();
  wal::WalLayout layout;
  return wal::WalkWal(
      fs, wal_dir,
      [head](const wal::RecordPosition&, std::string_view record) {
        return head->ReplayRecord(record);
      },
      &layout, problems);
}

absl::Status WriteSamples(SeriesSet& set, const std::vector<std::vector<Matcher>>& filter,
                          bool openmetrics, std::ostream& out) {
  std::string buf;
  while (set.Next()) {
    const Labels& labels = set.labels();
    if (!filter.empty() && !MatchesAny(labels, filter)) continue;
    std::unique_ptr<SampleIterator> it = set.Iterator();
    while (it->Next()) {
      if (openmetrics) {
        AppendOpenMetricsSample(labels, it->t(), it->v(), &buf);
      } else {
        AppendDumpSample(labels, it->t(), it->v(), &buf);
      }
      if (buf.size() >= kFlushBytes) {
        out << buf;
        buf.clear();
      }
    }
    RETURN_IF_ERROR(it->status());
  }
  RETURN_IF_ERROR(set.status());
  if (openmetrics) buf.append(kOpenMetricsEof);
  out << buf;
  out.flush();
  return absl::OkStatus();
}

}  // namespace

absl::Status DumpData(FileSystem* fs, const std::string& data_dir, const DumpOptions& options,
                      std::ostream& out, std::vector<wal::WalProblem>* wal_problems) {
  if (options.min_time > options.max_time) {
    return absl::InvalidArgumentError(
        absl::StrCat("--min-time ", options.min_time, " is after --max-time ", options.max_time));
  }
  ASSIGN_OR_RETURN(std::vector<std::vector<Matcher>> selectors, ParseSelectors(options.match));
  ASSIGN_OR_RETURN(std::vector<OpenedBlock> blocks, OpenBlocksReadOnly(fs, data_dir));
  std::vector<std::unique_ptr<Querier>> queriers;
  for (const OpenedBlock& b : blocks) {
    if (b.block == nullptr) return AnnotateStatus(b.error, absl::StrCat("block ", b.name));
    const block::BlockMeta& m = b.block->meta();
    // Blocks' max_time is exclusive.
    if (m.max_time <= options.min_time || m.min_time > options.max_time) continue;
    queriers.push_back(b.block->NewQuerier(options.min_time, options.max_time));
  }
  RealClock clock;
  HeadOptions head_options;
  head_options.clock = &clock;
  Head head(head_options, nullptr);
  RETURN_IF_ERROR(ReplayWal(fs, data_dir, &head, wal_problems));
  if (head.num_series() > 0)
    queriers.push_back(head.NewQuerier(options.min_time, options.max_time));
  std::unique_ptr<Querier> q = NewMergeQuerier(std::move(queriers));
  // One selector goes to the index; several are ORed over every series.
  std::vector<Matcher> select;
  if (selectors.size() == 1) select = selectors[0];
  std::unique_ptr<SeriesSet> set = q->Select(select);
  if (selectors.size() == 1) selectors.clear();
  return WriteSamples(*set, selectors, options.openmetrics, out);
}

int RunDump(FileSystem* fs, const std::string& data_dir, const DumpOptions& options,
            std::ostream& out) {
  std::vector<wal::WalProblem> problems;
  absl::Status s = DumpData(fs, data_dir, options, out, &problems);
  for (const wal::WalProblem& p : problems) {
    PrintError(absl::StrCat("warning: wal ", FormatWalProblem(p)));
  }
  if (!s.ok()) {
    PrintError(std::string(s.message()));
    return kExitFailure;
  }
  return problems.empty() ? kExitOk : kExitFailure;
}

}  // namespace strata::tools
