// info(v, [data-label selector]): Prometheus 3's experimental join of an
// instant vector with the data labels of "info" series (promql/info.go).
//
// Outline, as Prometheus:
//   - The selector's __name__ matchers pick the info metrics; without a
//     positive one, only negated ones, `__name__=~".+_info"` is added; with
//     none at all the info metric is target_info. Its other matchers filter
//     the data labels copied (and the info series fetched).
//   - Input series whose name matches those name matchers are info series
//     themselves and pass through unchanged.
//   - Info series are fetched with the identifying labels (instance, job)
//     of the other input series, over the window the first selector of the
//     argument reads, and looked up at every step like a vector selector
//     (lookback, staleness), remembering the sample's own timestamp.
//   - At every step an input series joins, per info metric, the newest info
//     sample with the same identifying labels, and gains its data labels
//     that it does not already have.
#include <algorithm>
#include <string_view>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "fmt/format.h"
#include "promql/evaluator.h"
#include "promql/functions.h"
#include "promql/label_util.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/labels/matcher.h"

namespace strata::promql {
namespace {

constexpr std::string_view kTargetInfo = "target_info";
// Labels that identify the target an info series describes: hard-coded, as
// Prometheus's identifyingLabels.
constexpr std::string_view kInstance = "instance";
constexpr std::string_view kJob = "job";

// An info series' join key: info metric (index into the names seen), and
// the instance and job values ("" when absent, as an absent label).
using SigKey = std::tuple<uint32_t, std::string_view, std::string_view>;

// Go's regexp.QuoteMeta: escapes the characters special in a regexp.
std::string QuoteMeta(std::string_view s) {
  constexpr std::string_view kSpecial = R"(\.+*?()|[]{}^$)";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (kSpecial.find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// The first vector selector of `e` in Prometheus's parser.Inspect order
// (depth first, children in order); its @ and offset set the window the
// info series are read over.
const VectorSelector* FirstVectorSelector(const Expr& e) {
  switch (e.kind()) {
    case NodeKind::kVectorSelector:
      return &e.As<VectorSelector>();
    case NodeKind::kMatrixSelector:
      return e.As<MatrixSelector>().vector_selector.get();
    case NodeKind::kSubqueryExpr:
      return FirstVectorSelector(*e.As<SubqueryExpr>().expr);
    case NodeKind::kParenExpr:
      return FirstVectorSelector(*e.As<ParenExpr>().expr);
    case NodeKind::kUnaryExpr:
      return FirstVectorSelector(*e.As<UnaryExpr>().expr);
    case NodeKind::kAggregateExpr: {
      const auto& a = e.As<AggregateExpr>();
      if (const VectorSelector* vs = FirstVectorSelector(*a.expr)) return vs;
      return a.param != nullptr ? FirstVectorSelector(*a.param) : nullptr;
    }
    case NodeKind::kBinaryExpr: {
      const auto& b = e.As<BinaryExpr>();
      if (const VectorSelector* vs = FirstVectorSelector(*b.lhs)) return vs;
      return FirstVectorSelector(*b.rhs);
    }
    case NodeKind::kCall:
      for (const auto& a : e.As<Call>().args) {
        if (const VectorSelector* vs = FirstVectorSelector(*a)) return vs;
      }
      return nullptr;
    default:
      return nullptr;
  }
}

// The second argument of info() split as Prometheus uses it.
struct InfoSelector {
  // Matched by the info series' names; an input series whose name matches
  // them all is not enriched.
  std::vector<Matcher> name_matchers;
  // The other matchers: they filter the info series fetched, and name the
  // data labels copied (all when none).
  std::vector<Matcher> data_matchers;
  absl::flat_hash_set<std::string_view> data_names;
  // Some data matcher rejects "": an input series no info series matched
  // at a step is dropped at that step.
  bool drop_unmatched = false;
};

absl::StatusOr<InfoSelector> SplitInfoSelector(const Call& e) {
  InfoSelector sel;
  bool positive_name = false;
  if (e.args.size() > 1) {
    const auto* vs = Unparen(*e.args[1]).DynCast<VectorSelector>();
    if (vs == nullptr) {
      return absl::InvalidArgumentError("info(): the second argument must be a label selector");
    }
    for (const Matcher& m : vs->matchers) {
      if (m.name() != kMetricNameLabel) {
        sel.data_matchers.push_back(m);
        sel.data_names.insert(m.name());
        if (!m.MatchesEmpty()) sel.drop_unmatched = true;
        continue;
      }
      sel.name_matchers.push_back(m);
      positive_name =
          positive_name || m.type() == MatchType::kEqual || m.type() == MatchType::kRegexMatch;
    }
  }
  if (!positive_name) {
    // Only negated name matchers would also select ordinary metrics.
    const bool negated_only = !sel.name_matchers.empty();
    ASSIGN_OR_RETURN(Matcher m,
                     Matcher::Create(negated_only ? MatchType::kRegexMatch : MatchType::kEqual,
                                     std::string(kMetricNameLabel),
                                     std::string(negated_only ? ".+_info" : kTargetInfo)));
    sel.name_matchers.insert(sel.name_matchers.begin(), std::move(m));
  }
  return sel;
}

bool MatchesAll(const std::vector<Matcher>& ms, std::string_view v) {
  for (const Matcher& m : ms) {
    if (!m.Matches(v)) return false;
  }
  return true;
}

// Per-query state of the join at every step.
class InfoJoin {
 public:
  InfoJoin(const InfoSelector& sel, const Matrix& base, const std::vector<bool>& ignored,
           const Matrix& info)
      : sel_(sel), base_(base), ignored_(ignored) {
    info_keys_.reserve(info.size());
    for (const Series& s : info) {
      const std::string_view name = s.metric.Get(kMetricNameLabel);
      auto it = std::find(names_.begin(), names_.end(), name);
      if (it == names_.end()) it = names_.insert(names_.end(), name);
      info_keys_.emplace_back(static_cast<uint32_t>(it - names_.begin()), s.metric.Get(kInstance),
                              s.metric.Get(kJob));
    }
  }

  // Prometheus's combineWithInfoVector for one step.
  absl::Status Step(int64_t ts, const Vector& base, const Vector& info, Vector* out) {
    if (base.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(IndexInfo(info));
    for (const Sample& bs : base) {
      if (ignored_[bs.origin]) {
        out->push_back(Sample{bs.metric, ts, bs.f});
        continue;
      }
      added_.clear();
      bool matched = false;
      const Labels& bl = base_[bs.origin].metric;
      for (uint32_t k = 0; k < names_.size(); ++k) {
        auto it = newest_.find(SigKey{k, bl.Get(kInstance), bl.Get(kJob)});
        if (it == newest_.end()) continue;
        matched = true;
        RETURN_IF_ERROR(AddDataLabels(it->second->metric, bl));
      }
      if (!matched && sel_.drop_unmatched) continue;
      if (added_.empty()) {
        out->push_back(Sample{bs.metric, ts, bs.f});
        continue;
      }
      Labels::Builder b;
      bs.metric.ForEach([&](const Label& l) { b.Add(l.name, l.value); });
      for (const Label& l : added_) b.Add(l.name, l.value);
      out->push_back(Sample{b.Build(), ts, bs.f});
    }
    return absl::OkStatus();
  }

 private:
  // Keeps, per join key, the info sample read from the newest point; two
  // points of the same time are an error.
  absl::Status IndexInfo(const Vector& info) {
    newest_.clear();
    for (const Sample& s : info) {
      auto [it, inserted] = newest_.try_emplace(info_keys_[s.origin], &s);
      if (inserted) continue;
      const auto existing_t = static_cast<int64_t>(it->second->f);
      const auto t = static_cast<int64_t>(s.f);
      if (existing_t < t) {
        it->second = &s;
      } else if (existing_t == t) {
        return absl::FailedPreconditionError(fmt::format(
            "found duplicate series for info metric: existing {} @ {}, new {} @ {}",
            GoLabelsString(it->second->metric), existing_t, GoLabelsString(s.metric), t));
      }
    }
    return absl::OkStatus();
  }

  // Adds to added_ the data labels of info series `il` that the input
  // series `bl` lacks; one label given two values by two info metrics is
  // an error.
  absl::Status AddDataLabels(const Labels& il, const Labels& bl) {
    absl::Status st;
    il.ForEach([&](const Label& l) {
      if (!st.ok() || l.name == kMetricNameLabel) return;
      if (!sel_.data_names.empty() && !sel_.data_names.contains(l.name)) return;
      auto same = std::find_if(added_.begin(), added_.end(),
                               [&](const Label& a) { return a.name == l.name; });
      if (same != added_.end()) {
        if (same->value != l.value) {
          st = absl::FailedPreconditionError(fmt::format("conflicting label: {}", l.name));
        }
        return;
      }
      if (!bl.Has(l.name)) added_.push_back(l);
    });
    return st;
  }

  const InfoSelector& sel_;
  const Matrix& base_;
  const std::vector<bool>& ignored_;
  std::vector<std::string_view> names_;  // info metrics, in order of appearance
  std::vector<SigKey> info_keys_;        // per info series
  absl::flat_hash_map<SigKey, const Sample*> newest_;
  std::vector<Label> added_;
};

// Reads the info series that may join `base` (but its ignored series) into
// *info, one point per step at which one is in effect; returns the number
// of points, accounted with AddSamples.
absl::StatusOr<int64_t> LoadInfoSeries(Evaluator& ev, const Call& e, const InfoSelector& sel,
                                       const Matrix& base, const std::vector<bool>& ignored,
                                       Matrix* info) {
  // The values of the identifying labels among the series to enrich.
  absl::flat_hash_set<std::string_view> instances, jobs;
  for (size_t i = 0; i < base.size(); ++i) {
    if (ignored[i]) continue;
    if (std::string_view v = base[i].metric.Get(kInstance); !v.empty()) instances.insert(v);
    if (std::string_view v = base[i].metric.Get(kJob); !v.empty()) jobs.insert(v);
  }
  if (instances.empty() && jobs.empty()) return 0;

  VectorSelector fetch;
  fetch.matchers = sel.name_matchers;
  for (const auto& [name, values] : {std::pair{kInstance, &instances}, std::pair{kJob, &jobs}}) {
    if (values->empty()) continue;
    std::string re;
    for (std::string_view v : *values) {
      if (!re.empty()) re += '|';
      re += QuoteMeta(v);
    }
    ASSIGN_OR_RETURN(Matcher m,
                     Matcher::Create(MatchType::kRegexMatch, std::string(name), std::move(re)));
    fetch.matchers.push_back(std::move(m));
  }
  fetch.matchers.insert(fetch.matchers.end(), sel.data_matchers.begin(), sel.data_matchers.end());

  // Prometheus's infoSelectHints: the query's range (or the first
  // selector's @ time) less its offset, back by the lookback delta.
  int64_t lo = ev.start(), hi = ev.end(), offset = 0;
  if (const VectorSelector* vs = FirstVectorSelector(*e.args[0])) {
    offset = DurationMs(vs->original_offset);
    std::optional<int64_t> at = vs->timestamp;
    if (vs->start_or_end != AtModifier::kNone) {
      at = vs->start_or_end == AtModifier::kStart ? ev.ctx()->query_start : ev.ctx()->query_end;
    }
    if (at.has_value()) lo = hi = *at;
  }
  const int64_t lookback = ev.ctx()->lookback_ms;
  int64_t points = 0;
  // Looked up at the step times themselves (no offset, no @), like a vector
  // selector; the value is the time of the sample found.
  RETURN_IF_ERROR(ev.ForEachSeries(
      fetch, lo - lookback - offset, hi - offset, /*keep_stale=*/true,
      [&](Evaluator::LoadedSeries& s) {
        Series series;
        size_t next = 0;
        for (int64_t ts = ev.start(); ts <= ev.end(); ts += ev.interval()) {
          while (next < s.points.size() && s.points[next].t <= ts) ++next;
          if (next == 0) continue;
          const FPoint& p = s.points[next - 1];
          if (p.t <= ts - lookback || IsStaleNaN(p.f)) continue;
          series.floats.push_back(FPoint{ts, static_cast<double>(p.t)});
        }
        if (series.floats.empty()) return absl::OkStatus();
        RETURN_IF_ERROR(ev.ctx()->AddSamples(static_cast<int64_t>(series.floats.size())));
        points += static_cast<int64_t>(series.floats.size());
        series.metric = std::move(s.labels);
        info->push_back(std::move(series));
        return absl::OkStatus();
      }));
  return points;
}

}  // namespace

absl::StatusOr<Value> Evaluator::EvalInfo(const Call& e) {
  ASSIGN_OR_RETURN(Value base_value, Eval(*e.args[0]));
  const Matrix& base = std::get<Matrix>(base_value);
  ASSIGN_OR_RETURN(const InfoSelector sel, SplitInfoSelector(e));
  std::vector<bool> ignored(base.size());
  for (size_t i = 0; i < base.size(); ++i) {
    ignored[i] = MatchesAll(sel.name_matchers, base[i].metric.Get(kMetricNameLabel));
  }
  Matrix info;
  ASSIGN_OR_RETURN(const int64_t info_points, LoadInfoSeries(*this, e, sel, base, ignored, &info));
  InfoJoin join(sel, base, ignored, info);
  const Matrix* args[2] = {&base, &info};
  absl::StatusOr<Matrix> m =
      RangeEval(args, [&](int64_t ts, std::span<const Vector> in, Vector* out) {
        return join.Step(ts, in[0], in[1], out);
      });
  ctx_->ReleaseSamples(info_points);
  if (!m.ok()) return m.status();
  return Value(std::move(*m));
}

}  // namespace strata::promql
