// Shared plumbing of tools/commands.h.
#include "tools/commands.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>

namespace strata::tools {

void ExitWith(int code) {
  if (code != kExitOk) throw CLI::RuntimeError(code);
}

const CLI::Validator kNonNegativeInt(
    [](std::string& s) -> std::string {
      uint64_t v;
      auto r = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) {
        return "must be a non-negative integer, got \"" + s + "\"";
      }
      return "";
    },
    "N");

void PrintError(std::string_view message) {
  std::fflush(stdout);  // keep the order of stdout and stderr when both go to one file
  std::fprintf(stderr, "tsdb-tool: %.*s\n", static_cast<int>(message.size()), message.data());
}

void ExitWith(const absl::Status& status) {
  if (status.ok()) return;
  PrintError(std::string(status.message()));
  ExitWith(kExitFailure);
}

int RunApp(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a subcommand's result, already reported
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with status 0; everything else is a
    // usage error: CLI11 printed the reason, the status is 2.
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return kExitOk;
}

}  // namespace strata::tools
