// The values PromQL expressions evaluate to, as Prometheus 3 defines them
// (promql/value.go): scalars, strings, instant vectors and range vectors
// (matrices), over float samples. Timestamps are milliseconds since the epoch.
//
// `drop_name` carries Prometheus 3's delayed metric-name removal: a function
// or operator that would drop __name__ only marks the sample or series, and
// the engine removes the name when the query's final result is produced (or
// when a later step needs the labels without it), so that e.g.
// `label_replace(rate(x[5m]), "__name__", ...)` behaves as in Prometheus.
//
// Thread safety: plain values; no shared state.
#ifndef STRATA_PROMQL_VALUE_H_
#define STRATA_PROMQL_VALUE_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "tsdb/labels/labels.h"

namespace strata::promql {

// One float point of a series.
struct FPoint {
  int64_t t = 0;
  double f = 0;
};

// One element of an instant vector.
struct Sample {
  Labels metric;
  int64_t t = 0;
  double f = 0;
  bool drop_name = false;
  // Within the per-step vectors the evaluator hands to one operator: the
  // index of the input series this sample belongs to, the same at every
  // step, so per-series work (grouping keys, signatures) can be done once
  // per query rather than once per step. -1 when unknown.
  int32_t origin = -1;
};
using Vector = std::vector<Sample>;

// One series of a range vector, or of a range query's result.
struct Series {
  Labels metric;
  std::vector<FPoint> floats;
  bool drop_name = false;
};
using Matrix = std::vector<Series>;

struct Scalar {
  int64_t t = 0;
  double v = 0;
};

struct String {
  int64_t t = 0;
  std::string v;
};

// The result of an expression. Range queries always produce a Matrix (a
// scalar or vector expression becomes one series per label set); instant
// queries produce the expression's own type.
using Value = std::variant<Scalar, String, Vector, Matrix>;

// Prometheus's annotations: warnings and infos returned beside a result,
// e.g. "PromQL info: metric might not be a counter, name does not end in
// _total/_sum/_count/_bucket: \"foo\" (1:6)". Deduplicated, in first-seen order.
class Annotations {
 public:
  void AddWarning(std::string msg);
  void AddInfo(std::string msg);
  void Merge(const Annotations& other);
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::vector<std::string>& infos() const { return infos_; }
  bool empty() const { return warnings_.empty() && infos_.empty(); }

 private:
  std::vector<std::string> warnings_;
  std::vector<std::string> infos_;
};

}  // namespace strata::promql

#endif  // STRATA_PROMQL_VALUE_H_
