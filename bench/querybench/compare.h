// Compares two Prometheus HTTP API answers (/api/v1/query or query_range
// JSON) to the same query: status, result type, the set of series (by label
// set, order ignored), and per series the timestamps exactly and the values
// within a relative tolerance, since systems may add floats in different
// orders.
#ifndef STRATA_BENCH_QUERYBENCH_COMPARE_H_
#define STRATA_BENCH_QUERYBENCH_COMPARE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::querybench {

struct Tolerance {
  double relative = 1e-6;
  double absolute = 1e-9;  // for values near zero
};

// What one answer holds, for the report.
struct AnswerSummary {
  bool success = false;
  std::string error;  // errorType: error, when not a success
  std::string result_type;
  uint64_t series = 0;
  uint64_t points = 0;
};

AnswerSummary Summarize(std::string_view answer);

struct Comparison {
  bool equal = false;
  std::string difference;  // the first differences found, when not equal
};

// `a` and `b` are the response bodies; `a_name` and `b_name` name their
// systems in the difference text.
Comparison CompareAnswers(std::string_view a, std::string_view b, std::string_view a_name,
                          std::string_view b_name, const Tolerance& tolerance);

}  // namespace strata::querybench

#endif  // STRATA_BENCH_QUERYBENCH_COMPARE_H_
