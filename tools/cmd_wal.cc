// `tsdb-tool wal dump` and `tsdb-tool wal verify` (tools/wal_tool.h).
#include <charconv>
#include <cstdint>
#include <memory>
#include <string>

#include "tools/commands.h"
#include "tools/wal_tool.h"

namespace strata::tools {
namespace {

struct WalArgs {
  std::string data_dir = "./data";
  WalDumpOptions dump;
};

void AddDataDir(CLI::App* cmd, WalArgs* args) {
  cmd->add_option("DATA_DIR", args->data_dir, "Data directory; the WAL is DATA_DIR/wal")
      ->capture_default_str();
}

}  // namespace

void AddWalCommands(CLI::App& app) {
  CLI::App* wal = app.add_subcommand(
      "wal", "Inspect the write-ahead log (read-only: safe while a server runs)");
  wal->require_subcommand(1);
  auto args = std::make_shared<WalArgs>();

  CLI::App* dump = wal->add_subcommand(
      "dump", "Print every WAL record (checkpoint first, then segments), one line per entry");
  AddDataDir(dump, args.get());
  dump->add_option("--type", args->dump.types,
                   "Only entries of these kinds (repeatable): series, samples, tombstones, "
                   "metadata")
      ->check(CLI::IsMember({"series", "samples", "tombstones", "metadata"}))
      ->delimiter(',')
      ->allow_extra_args(false);  // one value per --type: DATA_DIR after it stays positional
  dump->add_option("--limit", args->dump.limit, "Stop after this many lines (0: no limit)")
      ->check(kNonNegativeInt)
      ->capture_default_str();
  dump->callback([args] { ExitWith(RunWalDump(args->data_dir, args->dump)); });

  CLI::App* verify = wal->add_subcommand(
      "verify",
      "Read every segment and checkpoint, report each problem (file, offset, what) and a "
      "summary; exit status 1 on damage");
  AddDataDir(verify, args.get());
  verify->callback([args] { ExitWith(RunWalVerify(args->data_dir)); });
}

}  // namespace strata::tools
