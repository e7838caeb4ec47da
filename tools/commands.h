// tsdb-tool's subcommands. Each lives in its own tools/cmd_<name>.cc and
// registers itself on the root CLI::App through one Add<Name>Commands
// function declared here; tools/tsdb_tool_main.cc only calls them in order.
//
// Adding a subcommand (e.g. `list`):
//   1. tools/cmd_list.cc defines `void AddListCommands(CLI::App& app)`: it
//      adds the subcommand with add_subcommand, its options (each with a help
//      text; use ->check(...) so bad values are parse errors), and a callback
//      that runs the work — preferably a function in its own file (e.g.
//      tools/list.{h,cc}) that the tests can call without the CLI.
//   2. The callback ends with ExitWith(status): it reports a failure as
//      "tsdb-tool: <message>" on stderr and makes main return 1.
//   3. Declare AddListCommands below and call it from main.
//
// Exit statuses (as promtool): 0 success, 1 operational failure or damage
// found (verify), 2 bad command line (CLI11 prints the reason and usage).
// `--help` works on every subcommand (CLI11 adds it).
#ifndef STRATA_TOOLS_COMMANDS_H_
#define STRATA_TOOLS_COMMANDS_H_

#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"

namespace strata::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Ends the running subcommand with exit status `code` (no-op for 0): throws
// CLI::RuntimeError, which CLI11 passes through App::parse without printing;
// main returns the code. Destructors run on the way out, unlike std::exit.
void ExitWith(int code);
// Prints "tsdb-tool: <message>" on stderr when `status` is not ok, then
// ExitWith(1); returns normally when ok.
void ExitWith(const absl::Status& status);
// Prints "tsdb-tool: <message>" on stderr.
void PrintError(std::string_view message);

// A CLI11 check for a non-negative integer option (CLI11 alone would wrap
// "-1" into an unsigned option).
extern const CLI::Validator kNonNegativeInt;

// Runs the CLI: parses argv, runs the chosen subcommand's callback and maps
// errors to exit statuses. `app` has its subcommands registered.
int RunApp(CLI::App& app, int argc, char** argv);

void AddBenchCommands(CLI::App& app);  // tools/cmd_bench.cc: bench write
void AddWalCommands(CLI::App& app);    // tools/cmd_wal.cc: wal dump, wal verify
// tools/cmd_blocks.cc: list, analyze, dump, dump-openmetrics, import openmetrics,
// verify, compact, snapshot
void AddBlockCommands(CLI::App& app);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_COMMANDS_H_
