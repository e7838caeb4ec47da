// The block subcommands: list, analyze, dump, dump-openmetrics, import
// openmetrics, verify, compact, snapshot. The work is in tools/list_blocks.h,
// analyze.h, dump.h, import.h, verify_blocks.h, compact_offline.h and
// snapshot_offline.h; this file only declares the command lines.
#include <charconv>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tools/analyze.h"
#include "tools/commands.h"
#include "tools/compact_offline.h"
#include "tools/dump.h"
#include "tools/import.h"
#include "tools/list_blocks.h"
#include "tools/snapshot_offline.h"
#include "tools/verify_blocks.h"

namespace strata::tools {
namespace {

constexpr const char* kDataDirHelp = "Data directory";

// A positive Go-style duration that is a whole number of milliseconds.
const CLI::Validator kDuration(
    [](std::string& s) -> std::string {
      absl::Duration d;
      if (!absl::ParseDuration(s, &d) || d <= absl::ZeroDuration()) {
        return "must be a positive duration such as 2h, 90m or 1h30m, got \"" + s + "\"";
      }
      if (d % absl::Milliseconds(1) != absl::ZeroDuration()) {
        return "must be a whole number of milliseconds, got \"" + s + "\"";
      }
      return "";
    },
    "DURATION");

std::unique_ptr<FileSystem> Fs() { return NewPosixFileSystem(); }

CLI::Option* AddDataDir(CLI::App* cmd, std::string* dir) {
  *dir = "./data";
  return cmd->add_option("DATA_DIR", *dir, kDataDirHelp)->capture_default_str();
}

void AddList(CLI::App& app) {
  struct Args {
    std::string dir;
    bool human = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "list", "List the blocks of a data directory (read-only: safe while a server runs)");
  AddDataDir(cmd, &args->dir);
  cmd->add_flag("-r,--human-readable", args->human,
                "Print times as RFC 3339 and sizes in binary units");
  cmd->callback([args] { ExitWith(RunList(Fs().get(), args->dir, args->human, std::cout)); });
}

void AddAnalyze(CLI::App& app) {
  struct Args {
    std::string dir;
    AnalyzeOptions options;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Cardinality report of one block (read-only: safe while a server runs)");
  AddDataDir(cmd, &args->dir);
  cmd->add_option("--block", args->options.block_id, "Block ULID (default: the newest block)");
  cmd->add_option("--limit", args->options.limit, "Lines per section")
      ->check(kNonNegativeInt)
      ->capture_default_str();
  cmd->add_option("--match", args->options.match,
                  "Series selector: only the series it selects count, e.g. 'up{job=\"a\"}'");
  cmd->callback([args] {
    auto fs = Fs();
    ExitWith(RunAnalyze(fs.get(), args->dir, args->options, std::cout));
  });
}

void AddDump(CLI::App& app, const std::string& name, bool openmetrics) {
  struct Args {
    std::string dir;
    DumpOptions options;
  };
  auto args = std::make_shared<Args>();
  args->options.openmetrics = openmetrics;
  CLI::App* cmd = app.add_subcommand(
      name, openmetrics ? "Print every sample (blocks and WAL) as OpenMetrics text, then # EOF "
                          "(read-only: safe while a server runs)"
                        : "Print every sample (blocks and WAL) as `{labels} value ms` lines "
                          "(read-only: safe while a server runs)");
  AddDataDir(cmd, &args->dir);
  cmd->add_option("--min-time", args->options.min_time, "Earliest timestamp, in ms (inclusive)");
  cmd->add_option("--max-time", args->options.max_time, "Latest timestamp, in ms (inclusive)");
  cmd->add_option("--match", args->options.match,
                  "Series selector (repeatable; a series is dumped if any selects it)")
      ->allow_extra_args(false);  // one value per --match: DATA_DIR after it stays positional
  cmd->callback([args] {
    auto fs = Fs();
    ExitWith(RunDump(fs.get(), args->dir, args->options, std::cout));
  });
}

void AddImport(CLI::App& app) {
  struct Args {
    std::string file;
    std::string dir = "./data";
    std::string duration = "2h";
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* import = app.add_subcommand("import", "Create blocks from text input (backfill)");
  import->require_subcommand(1);
  CLI::App* om = import->add_subcommand(
      "openmetrics",
      "Create blocks from OpenMetrics text with timestamps (ends with # EOF). Refuses while a "
      "server holds the data directory's lock");
  om->add_option("FILE", args->file, "OpenMetrics input")->required();
  om->add_option("DATA_DIR", args->dir, "Data directory (created if missing)")
      ->capture_default_str();
  om->add_option("--block-duration", args->duration,
                 "Time range of each block; blocks are aligned to multiples of it")
      ->check(kDuration)
      ->capture_default_str();
  om->add_flag("-q,--quiet", args->quiet, "Print neither progress nor the blocks created");
  om->callback([args] {
    absl::Duration d;
    absl::ParseDuration(args->duration, &d);  // validated by kDuration
    ImportOptions options;
    options.block_duration_ms = absl::ToInt64Milliseconds(d);
    options.quiet = args->quiet;
    options.progress = &std::cerr;
    auto fs = Fs();
    ExitWith(ImportOpenMetrics(fs.get(), args->file, args->dir, options, std::cout).status());
  });
}

void AddVerify(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Check every block (CRCs, index, chunk order), overlaps and the WAL; exit status 1 on "
      "damage (read-only: safe while a server runs)");
  AddDataDir(cmd, dir.get());
  cmd->callback([dir] { ExitWith(RunVerify(Fs().get(), *dir, std::cout)); });
}

void AddCompact(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto cut_head = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "compact",
      "Offline compaction: cut the head into blocks and merge blocks (no retention). Refuses "
      "while a server holds the lock");
  AddDataDir(cmd, dir.get());
  cmd->add_flag("--cut-head", *cut_head,
                "Cut the whole head into blocks first, its newest range included (by default "
                "the newest 1.5 block ranges stay in the head, as in the server)");
  cmd->callback([dir, cut_head] {
    auto fs = Fs();
    ExitWith(CompactDataDir(fs.get(), *dir, std::cout, *cut_head));
  });
}

void AddSnapshot(CLI::App& app) {
  struct Args {
    std::vector<std::string> dirs;
    bool skip_head = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "snapshot",
      "Offline snapshot: copy DATA_DIR (default ./data) into OUT_DIR, blocks hard-linked, the "
      "head written as a block. For a running server use POST /api/v1/admin/tsdb/snapshot");
  cmd->add_option("[DATA_DIR] OUT_DIR", args->dirs,
                  "Data directory (default ./data), then the "
                  "snapshot directory (must not exist)")
      ->required()
      ->expected(1, 2);
  cmd->add_flag("--skip-head", args->skip_head, "Leave out the head (data not yet in blocks)");
  cmd->callback([args] {
    const std::string data_dir = args->dirs.size() == 2 ? args->dirs[0] : "./data";
    const std::string out_dir = args->dirs.back();
    auto fs = Fs();
    ExitWith(SnapshotDataDir(fs.get(), data_dir, out_dir, args->skip_head, std::cout));
  });
}

}  // namespace

void AddBlockCommands(CLI::App& app) {
  AddList(app);
  AddAnalyze(app);
  AddDump(app, "dump", /*openmetrics=*/false);
  AddDump(app, "dump-openmetrics", /*openmetrics=*/true);
  AddImport(app);
  AddVerify(app);
  AddCompact(app);
  AddSnapshot(app);
}

}  // namespace strata::tools
