// Private helpers of the binary-operator implementation (binop.cc,
// binop_vector.cc): Go's float64 math for the operators whose results must
// match Prometheus bit for bit where Go's algorithm is portable, the
// per-sample element operation, and the scratch state reused across steps.
//
// Thread safety: the functions are pure; BinopScratch belongs to one
// evaluation.
#ifndef STRATA_PROMQL_BINOP_INTERNAL_H_
#define STRATA_PROMQL_BINOP_INTERNAL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "promql/ast.h"
#include "promql/value.h"
#include "tsdb/labels/labels.h"

namespace strata::promql {

// Go's math.Pow: its special cases and its algorithm (repeated squaring for
// the integer part of the exponent), so integer powers round as in Go.
double GoPow(double x, double y);
// Go's math.Atan2 (Cephes atan with Go's quadrant handling).
double GoAtan2(double y, double x);

// Prometheus's vectorElemBinop for two floats: the value to output and
// whether a comparison keeps the sample (always true for arithmetic).
// Comparisons return `lhs` as the value.
struct ElemResult {
  double value;
  bool keep;
};
ElemResult ElemBinop(TokenKind op, double lhs, double rhs);

bool IsComparison(TokenKind op);
// Prometheus's changesMetricSchema: arithmetic (+ - * / % ^ atan2) turns a
// sample into something that is no longer the named metric.
bool ChangesMetricSchema(TokenKind op);

// Declared (incomplete) in binop.h; defined here so both implementation
// files share it. Buffers are reused across the steps of one node.
class BinopScratch {
 public:
  // Assigns each sample of `lhs` and `rhs` the ordinal of its matching
  // signature (equal ordinals <=> equal on(...)/ignoring(...) label
  // subsets), in lhs_sig / rhs_sig; num_sigs() ordinals in all. Ordinals
  // are kept across the steps of the node, and a sample's ordinal is
  // remembered by its Sample::origin, so signatures are computed once per
  // input series rather than once per step.
  void AssignSignatures(const VectorMatching& m, const Vector& lhs, const Vector& rhs);
  int num_sigs() const { return static_cast<int>(sig_rep_.size()); }

  std::vector<int32_t> lhs_sig, rhs_sig;
  // Per ordinal: the index of the "one"-side sample, or -1.
  std::vector<int32_t> one_by_sig;
  // Per ordinal: present on a side / already matched (one-to-one).
  std::vector<uint8_t> flags;
  // Many-to-one: (ordinal, result label-set hash) pairs already produced.
  absl::flat_hash_set<std::pair<int32_t, uint64_t>> inserted;
  Labels::Builder builder;
  // Result labels by (many-side origin, one-side origin), kept across steps.
  absl::flat_hash_map<uint64_t, Labels> result_labels;

 private:
  int32_t Ordinal(const VectorMatching& m, const Labels& l);
  int32_t CachedOrdinal(const VectorMatching& m, const Sample& s, std::vector<int32_t>* cache);
  bool SameSignature(const VectorMatching& m, const Labels& a, const Labels& b);

  // Signature hash -> first ordinal with that hash; further ordinals with
  // the same hash (a 64-bit collision) are chained through sig_next_.
  absl::flat_hash_map<uint64_t, int32_t> sig_head_;
  std::vector<int32_t> sig_next_;
  std::vector<Labels> sig_rep_;  // one series' labels per ordinal
  std::vector<Label> pairs_;     // SameSignature's buffer
  // Ordinal per Sample::origin on each side; -1 until computed.
  std::vector<int32_t> lhs_origin_sig_, rhs_origin_sig_;
};

}  // namespace strata::promql

#endif  // STRATA_PROMQL_BINOP_INTERNAL_H_
