// libFuzzer target for the PromQL parser. Build with
//   clang++ -fsanitize=fuzzer,address,undefined … parser_fuzz.cc -lstrata_promql …
// and run with tests/promql/fuzz/corpus/ as the seed corpus.
//
// Properties checked:
//   - ParseExpr never crashes, hangs or overflows the stack, whatever the
//     bytes (errors are fine);
//   - an accepted expression prints (ToString) to text that parses again,
//     and its Clone() prints the same.
// Printing is deliberately not required to be a fixed point: like
// Prometheus's printer, `+Inf ^ 2` (a literal +Inf under ^) prints as
// "+Inf ^ 2", which parses back as +(Inf ^ 2) and prints "++Inf ^ 2".
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "promql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Long inputs only slow the fuzzer down; the grammar is local.
  if (size > 4096) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::unique_ptr<strata::promql::Expr>> expr = strata::promql::ParseExpr(input);
  if (!expr.ok()) return 0;
  const std::string printed = (*expr)->ToString();
  if ((*expr)->Clone()->ToString() != printed) {
    std::fprintf(stderr, "Clone() prints differently: %s\n", printed.c_str());
    std::abort();
  }
  absl::StatusOr<std::unique_ptr<strata::promql::Expr>> again = strata::promql::ParseExpr(printed);
  if (!again.ok()) {
    std::fprintf(stderr, "printed form does not parse:\n  input: %.*s\n  printed: %s\n  %s\n",
                 static_cast<int>(size), input.data(), printed.c_str(),
                 std::string(again.status().message()).c_str());
    std::abort();
  }
  return 0;
}
