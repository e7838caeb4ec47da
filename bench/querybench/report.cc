// Markdown report of a strata-querybench run (report.h).
#include "bench/querybench/report.h"

#include <cmath>
#include <iterator>

#include "fmt/format.h"

namespace strata::querybench {
namespace {

std::string ResultShape(const AnswerSummary& s) {
  if (!s.success) return "error";
  if (s.result_type == "matrix") return fmt::format("{} series, {} points", s.series, s.points);
  if (s.result_type == "vector") return fmt::format("{} series", s.series);
  return s.result_type;
}

// Pipes would end a table cell early.
std::string Cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\";
    out.push_back(c);
  }
  return out;
}

// Formats onto a string; fmt's format strings must be checked at compile
// time, which a generic lambda cannot forward.
struct Appender {
  template <typename... T>
  void operator()(fmt::format_string<T...> format, T&&... args) {
    fmt::format_to(std::back_inserter(*out), format, std::forward<T>(args)...);
  }
  std::string* out;
};

bool Measured(const SystemResult& s) { return s.failure.empty() && !s.latencies_ms.empty(); }

}  // namespace

bool AllAnswersEqual(const std::vector<QueryResult>& results) {
  for (const QueryResult& r : results) {
    for (const SystemResult& s : r.systems) {
      if (!s.failure.empty()) return false;
    }
    for (const Comparison& c : r.vs_first) {
      if (!c.equal) return false;
    }
  }
  return true;
}

bool AnswersMatchReference(const std::vector<QueryResult>& results, size_t reference) {
  for (const QueryResult& r : results) {
    if (!r.systems[0].failure.empty() || !r.systems[reference].failure.empty() ||
        !r.vs_first[reference - 1].equal) {
      return false;
    }
  }
  return true;
}

std::string MarkdownReport(const std::vector<QueryResult>& results,
                           const std::vector<System>& systems, double target_ratio) {
  std::string out;
  Appender add{&out};
  const std::string& first = systems[0].name;
  add("| query | kind |");
  for (const System& s : systems) add(" {} median ms | {} p90 ms |", s.name, s.name);
  for (size_t i = 1; i < systems.size(); ++i) {
    add(" {0} / {1} | ≤ {2}× {1}? | equal to {1}? |", first, systems[i].name, target_ratio);
  }
  add(" result |\n|---|---|");
  for (size_t i = 0; i < systems.size(); ++i) add("---:|---:|");
  for (size_t i = 1; i < systems.size(); ++i) add("---:|---|---|");
  add("---|\n");

  // Per other system: queries that met the target, log-ratio sum, equal.
  std::vector<int> met(systems.size(), 0), ratios(systems.size(), 0), equal(systems.size(), 0);
  std::vector<double> log_sum(systems.size(), 0);
  for (const QueryResult& r : results) {
    add("| {} | {} |", r.query.name, DescribeKind(r.query));
    for (const SystemResult& s : r.systems) {
      if (Measured(s)) {
        add(" {:.2f} | {:.2f} |", s.median_ms, s.p90_ms);
      } else {
        add(" failed | |");
      }
    }
    for (size_t i = 1; i < systems.size(); ++i) {
      const SystemResult& a = r.systems[0];
      const SystemResult& b = r.systems[i];
      if (Measured(a) && Measured(b) && b.median_ms > 0) {
        const double ratio = a.median_ms / b.median_ms;
        const bool ok = ratio <= target_ratio;
        met[i] += ok;
        ++ratios[i];
        log_sum[i] += std::log(ratio);
        add(" {:.3f}× | {} |", ratio, ok ? "met" : "**missed**");
      } else {
        add(" n/a | n/a |");
      }
      const bool same = r.vs_first[i - 1].equal;
      equal[i] += same;
      add(" {} |", same ? "yes" : "**NO**");
    }
    // The first system's answer, or the first successful one's.
    const SystemResult* shown = &r.systems[0];
    for (const SystemResult& s : r.systems) {
      if (!shown->summary.success && s.summary.success) shown = &s;
    }
    add(" {} |\n", ResultShape(shown->summary));
  }
  add("\n");
  for (size_t i = 1; i < systems.size(); ++i) {
    add("- vs {}: target (≤ {}× its median latency) met on {} of {} queries", systems[i].name,
        target_ratio, met[i], results.size());
    if (ratios[i] > 0) {
      add("; geometric mean of the ratios {:.2f}×", std::exp(log_sum[i] / ratios[i]));
    }
    add("; answers equal on {} of {} queries.\n", equal[i], results.size());
  }

  bool any_problem = false;
  for (const QueryResult& r : results) {
    for (size_t s = 0; s < systems.size(); ++s) {
      if (r.systems[s].failure.empty()) continue;
      if (!any_problem) add("\nFailures and differences:\n\n");
      any_problem = true;
      add("- {}: {} failed: {}{}\n", r.query.name, systems[s].name, r.systems[s].failure,
          r.systems[s].summary.error.empty() ? "" : " (" + r.systems[s].summary.error + ")");
    }
    for (size_t i = 1; i < systems.size(); ++i) {
      // A failure was listed above; the comparison would only repeat it.
      if (r.vs_first[i - 1].equal || !r.systems[0].failure.empty() ||
          !r.systems[i].failure.empty()) {
        continue;
      }
      if (!any_problem) add("\nFailures and differences:\n\n");
      any_problem = true;
      add("- {}: {} vs {}: {}\n", r.query.name, first, systems[i].name,
          r.vs_first[i - 1].difference);
    }
  }

  add("\nQueries:\n\n| query | PromQL |\n|---|---|\n");
  for (const QueryResult& r : results) add("| {} | `{}` |\n", r.query.name, Cell(r.query.expr));
  return out;
}

}  // namespace strata::querybench
