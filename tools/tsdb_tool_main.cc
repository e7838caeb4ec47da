// tsdb-tool: the operator's tool for Strata data directories. Every
// subcommand registers itself from its own file; see tools/commands.h.
#include "CLI/CLI.hpp"
#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"tsdb-tool: inspect and maintain Strata data directories"};
  app.require_subcommand(1);

  strata::tools::AddBenchCommands(app);
  strata::tools::AddWalCommands(app);
  strata::tools::AddBlockCommands(app);

  return strata::tools::RunApp(app, argc, argv);
}
