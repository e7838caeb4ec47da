// Binary operators between two instant vectors, as Prometheus 3's
// engine.go: vector matching by signature (rangeEval's sigf: on(...) keeps
// the listed labels, ignoring(...) drops them and __name__), the set
// operators (VectorAnd, VectorOr, VectorUnless) and VectorBinop with
// one-to-one, many-to-one and one-to-many matching and resultMetric.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "promql/binop.h"
#include "promql/binop_internal.h"
#include "promql/label_util.h"

namespace strata::promql {
namespace {

bool Listed(std::span<const std::string> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Whether label `name` is part of the matching signature.
bool InSignature(const VectorMatching& m, std::string_view name) {
  if (m.on) return Listed(m.matching_labels, name);
  return name != kMetricNameLabel && !Listed(m.matching_labels, name);
}

// Prometheus's Labels.MatchLabels(on, names...): the signature's labels.
Labels MatchLabels(const VectorMatching& m, const Labels& l) {
  return m.on ? KeepOnly(l, m.matching_labels) : DropWithName(l, m.matching_labels);
}

bool IsSchemaLabel(std::string_view name) {
  return name == kMetricNameLabel || name == "__type__" || name == "__unit__";
}

}  // namespace

std::unique_ptr<BinopScratch, void (*)(BinopScratch*)> NewBinopScratch() {
  return {new BinopScratch(), [](BinopScratch* s) { delete s; }};
}

bool BinopScratch::SameSignature(const VectorMatching& m, const Labels& a, const Labels& b) {
  pairs_.clear();
  a.ForEach([&](Label p) {
    if (InSignature(m, p.name)) pairs_.push_back(p);
  });
  size_t i = 0;
  bool same = true;
  b.ForEach([&](Label p) {
    if (!same || !InSignature(m, p.name)) return;
    same = i < pairs_.size() && pairs_[i] == p;
    ++i;
  });
  return same && i == pairs_.size();
}

int32_t BinopScratch::Ordinal(const VectorMatching& m, const Labels& l) {
  uint64_t h = m.on ? HashKeepOnly(l, m.matching_labels) : HashDropWithName(l, m.matching_labels);
  auto [it, inserted] = sig_head_.try_emplace(h, static_cast<int32_t>(sig_rep_.size()));
  if (!inserted) {
    int32_t o = it->second;
    for (;;) {
      if (SameSignature(m, sig_rep_[o], l)) return o;
      if (sig_next_[o] < 0) break;
      o = sig_next_[o];
    }
    sig_next_[o] = static_cast<int32_t>(sig_rep_.size());  // a true hash collision
  }
  sig_rep_.push_back(l);
  sig_next_.push_back(-1);
  return static_cast<int32_t>(sig_rep_.size() - 1);
}

int32_t BinopScratch::CachedOrdinal(const VectorMatching& m, const Sample& s,
                                    std::vector<int32_t>* cache) {
  if (s.origin < 0) return Ordinal(m, s.metric);
  const size_t o = static_cast<size_t>(s.origin);
  if (o >= cache->size()) cache->resize(o + 1, -1);
  if ((*cache)[o] < 0) (*cache)[o] = Ordinal(m, s.metric);
  return (*cache)[o];
}

void BinopScratch::AssignSignatures(const VectorMatching& m, const Vector& lhs, const Vector& rhs) {
  lhs_sig.resize(lhs.size());
  rhs_sig.resize(rhs.size());
  for (size_t i = 0; i < lhs.size(); ++i) lhs_sig[i] = CachedOrdinal(m, lhs[i], &lhs_origin_sig_);
  for (size_t i = 0; i < rhs.size(); ++i) rhs_sig[i] = CachedOrdinal(m, rhs[i], &rhs_origin_sig_);
}

namespace {

void Append(const Sample& s, int64_t ts, Vector* out) {
  out->push_back(s);
  out->back().t = ts;
}

// VectorAnd / VectorUnless: lhs samples whose signature is (and) or is not
// (unless) present on the right.
void AndUnless(bool keep_present, const Vector& lhs, const Vector& rhs, int64_t ts,
               BinopScratch* sc, Vector* out) {
  sc->flags.assign(sc->num_sigs(), 0);
  for (int32_t o : sc->rhs_sig) sc->flags[o] = 1;
  for (size_t i = 0; i < lhs.size(); ++i) {
    if ((sc->flags[sc->lhs_sig[i]] != 0) == keep_present) Append(lhs[i], ts, out);
  }
}

// VectorOr: all of lhs, then the rhs samples whose signature is absent on
// the left.
void Or(const Vector& lhs, const Vector& rhs, int64_t ts, BinopScratch* sc, Vector* out) {
  sc->flags.assign(sc->num_sigs(), 0);
  for (size_t i = 0; i < lhs.size(); ++i) {
    sc->flags[sc->lhs_sig[i]] = 1;
    Append(lhs[i], ts, out);
  }
  for (size_t j = 0; j < rhs.size(); ++j) {
    if (sc->flags[sc->rhs_sig[j]] == 0) Append(rhs[j], ts, out);
  }
}

absl::Status SetBinop(const BinaryExpr& e, const Vector& lhs, const Vector& rhs, int64_t ts,
                      BinopScratch* sc, Vector* out) {
  const VectorMatching& m = *e.matching;
  switch (e.op) {
    case TokenKind::kLand:
      if (lhs.empty() || rhs.empty()) return absl::OkStatus();
      sc->AssignSignatures(m, lhs, rhs);
      AndUnless(true, lhs, rhs, ts, sc, out);
      return absl::OkStatus();
    case TokenKind::kLunless:
      if (lhs.empty() || rhs.empty()) {
        for (const Sample& s : lhs) Append(s, ts, out);
        return absl::OkStatus();
      }
      sc->AssignSignatures(m, lhs, rhs);
      AndUnless(false, lhs, rhs, ts, sc, out);
      return absl::OkStatus();
    default:  // kLor
      if (lhs.empty() || rhs.empty()) {
        for (const Sample& s : lhs.empty() ? rhs : lhs) Append(s, ts, out);
        return absl::OkStatus();
      }
      sc->AssignSignatures(m, lhs, rhs);
      Or(lhs, rhs, ts, sc, out);
      return absl::OkStatus();
  }
}

// Prometheus's resultMetric: the labels of a vector-vector result from the
// "many" side `many` and the "one" side `one`. Arithmetic removes __name__
// (and __type__/__unit__) right here, not delayed, as Prometheus 3 does;
// one-to-one matching keeps only the on(...) labels or drops the
// ignoring(...) ones; group_x(...) labels are copied from the "one" side
// (and removed when it lacks them).
Labels ResultMetric(const Labels& many, const Labels& one, TokenKind op, const VectorMatching& m,
                    Labels::Builder* b) {
  const bool drop_schema = ChangesMetricSchema(op);
  const bool one_to_one = m.card == Cardinality::kOneToOne;
  bool changed = false;
  b->Reset();
  many.ForEach([&](Label p) {
    bool drop = (drop_schema && IsSchemaLabel(p.name)) ||
                (one_to_one && (m.on != Listed(m.matching_labels, p.name))) ||
                Listed(m.include, p.name);
    if (drop) {
      changed = true;
    } else {
      b->Add(p.name, p.value);
    }
  });
  for (size_t i = 0; i < m.include.size(); ++i) {
    const std::string& name = m.include[i];
    if (std::find(m.include.begin(), m.include.begin() + i, name) != m.include.begin() + i) {
      continue;  // listed twice: set once
    }
    std::string_view v = one.Get(name);
    if (!v.empty()) b->Add(name, v);
    changed = true;
  }
  if (!changed) return many;
  return b->Build();
}

absl::Status DuplicateOnOneSide(const VectorMatching& m, const Sample& dup, const Sample& first) {
  const char* side = m.card == Cardinality::kOneToMany ? "left" : "right";
  std::string msg = absl::StrCat("found duplicate series for the match group ",
                                 GoLabelsString(MatchLabels(m, dup.metric)), " on the ", side);
  absl::StrAppend(&msg, " hand-side of the operation: [", GoLabelsString(dup.metric), ", ",
                  GoLabelsString(first.metric));
  return absl::FailedPreconditionError(absl::StrCat(
      msg, "];many-to-many matching not allowed: matching labels must be unique on one side"));
}

// Records that a result was produced for signature `o` with labels
// `metric`; errors when the matching does not make results unique.
absl::Status CheckUnique(const VectorMatching& m, int32_t o, const Labels& metric,
                         BinopScratch* sc) {
  if (m.card == Cardinality::kOneToOne) {
    if (sc->flags[o] != 0) {
      return absl::FailedPreconditionError(
          "multiple matches for labels: many-to-one matching must be explicit "
          "(group_left/group_right)");
    }
    sc->flags[o] = 1;
    return absl::OkStatus();
  }
  if (!sc->inserted.emplace(o, metric.Hash()).second) {
    return absl::FailedPreconditionError(
        "multiple matches for labels: grouping labels must ensure unique matches");
  }
  return absl::OkStatus();
}

// VectorBinop: arithmetic and comparisons with one-to-one, many-to-one or
// one-to-many matching. For one-to-many the sides are swapped so that the
// loop always walks the "many" side; values are computed in the original
// order.
absl::Status MatchedBinop(const BinaryExpr& e, const Vector& lhs, const Vector& rhs, int64_t ts,
                          BinopScratch* sc, Vector* out) {
  const VectorMatching& m = *e.matching;
  if (lhs.empty() || rhs.empty()) return absl::OkStatus();
  sc->AssignSignatures(m, lhs, rhs);
  const bool swapped = m.card == Cardinality::kOneToMany;
  const Vector& many = swapped ? rhs : lhs;
  const Vector& one = swapped ? lhs : rhs;
  const std::vector<int32_t>& many_sig = swapped ? sc->rhs_sig : sc->lhs_sig;
  const std::vector<int32_t>& one_sig = swapped ? sc->lhs_sig : sc->rhs_sig;

  sc->one_by_sig.assign(sc->num_sigs(), -1);
  for (size_t j = 0; j < one.size(); ++j) {
    int32_t& slot = sc->one_by_sig[one_sig[j]];
    if (slot >= 0) return DuplicateOnOneSide(m, one[j], one[slot]);
    slot = static_cast<int32_t>(j);
  }
  sc->flags.assign(sc->num_sigs(), 0);
  sc->inserted.clear();

  for (size_t i = 0; i < many.size(); ++i) {
    const int32_t o = many_sig[i];
    const int32_t j = sc->one_by_sig[o];
    if (j < 0) continue;
    const Sample& ms = many[i];
    const Sample& os = one[j];
    ElemResult r = swapped ? ElemBinop(e.op, os.f, ms.f) : ElemBinop(e.op, ms.f, os.f);
    if (e.return_bool) r.value = r.keep ? 1 : 0;
    Labels metric;
    if (ms.origin >= 0 && os.origin >= 0) {
      const uint64_t key =
          (uint64_t{static_cast<uint32_t>(ms.origin)} << 32) | static_cast<uint32_t>(os.origin);
      auto [it, inserted] = sc->result_labels.try_emplace(key);
      if (inserted) it->second = ResultMetric(ms.metric, os.metric, e.op, m, &sc->builder);
      metric = it->second;
    } else {
      metric = ResultMetric(ms.metric, os.metric, e.op, m, &sc->builder);
    }
    // Checked before filtering: a comparison that drops every sample still
    // fails on ambiguous matching, as in Prometheus.
    if (absl::Status st = CheckUnique(m, o, metric, sc); !st.ok()) return st;
    if (!r.keep && !e.return_bool) continue;
    // Only `bool` flags the name for delayed removal (arithmetic already
    // removed it); the inputs' flags do not carry over, as in Prometheus.
    out->push_back(Sample{std::move(metric), ts, r.value, e.return_bool});
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status VectorVectorBinop(const BinaryExpr& e, const Vector& lhs, const Vector& rhs,
                               int64_t ts, BinopScratch* scratch, Annotations* /*annotations*/,
                               Vector* out) {
  if (!e.matching.has_value()) {
    return absl::InternalError("binary operation between vectors without vector matching");
  }
  switch (e.op) {
    case TokenKind::kLand:
    case TokenKind::kLor:
    case TokenKind::kLunless:
      return SetBinop(e, lhs, rhs, ts, scratch, out);
    default:
      return MatchedBinop(e, lhs, rhs, ts, scratch, out);
  }
}

}  // namespace strata::promql
