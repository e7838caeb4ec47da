// Micro benchmarks for label sets, matchers and the symbol table.
//
//   strata_bench --benchmark_filter='Labels|Matcher|SymbolTable' --benchmark_repetitions=5
#include <algorithm>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "re2/re2.h"
#include "tsdb/labels/labels.h"
#include "tsdb/labels/matcher.h"
#include "tsdb/labels/symbol_table.h"

namespace strata {
namespace {

// A typical node-exporter-like series: 10 labels, ~190 bytes.
Labels TenLabels() {
  return Labels::FromStrings({"__name__",  "node_cpu_seconds_total",
                              "cluster",   "prod-eu-west-1",
                              "cpu",       "12",
                              "env",       "production",
                              "instance",  "10.1.2.3:9100",
                              "job",       "node-exporter",
                              "mode",      "idle",
                              "namespace", "monitoring",
                              "pod",       "node-exporter-7f9c4",
                              "region",    "eu-west-1"});
}

void BM_LabelsHash(benchmark::State& state) {
  Labels ls = TenLabels();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ls.Hash());
  }
}
BENCHMARK(BM_LabelsHash);

void BM_LabelsHashSorted(benchmark::State& state) {
  Labels ls = TenLabels();
  std::vector<Label> pairs;
  ls.ForEach([&](const Label& l) { pairs.push_back(l); });
  for (auto _ : state) {
    benchmark::DoNotOptimize(Labels::HashSorted(pairs));
  }
}
BENCHMARK(BM_LabelsHashSorted);

void BM_LabelsBuild(benchmark::State& state) {
  Labels ls = TenLabels();
  std::vector<Label> pairs;
  ls.ForEach([&](const Label& l) { pairs.push_back(l); });
  std::reverse(pairs.begin(), pairs.end());
  Labels::Builder b;
  for (auto _ : state) {
    b.Reset();
    for (const Label& l : pairs) b.Add(l.name, l.value);
    benchmark::DoNotOptimize(b.Build());
  }
}
BENCHMARK(BM_LabelsBuild);

void BM_LabelsGet(benchmark::State& state) {
  Labels ls = TenLabels();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ls.Get("job"));
  }
}
BENCHMARK(BM_LabelsGet);

// Two series of one metric that differ in their last label, as the sort of
// a selection compares them.
void BM_LabelsCompare(benchmark::State& state) {
  Labels a = TenLabels();
  Labels::Builder b;
  a.ForEach([&](const Label& l) { b.Add(l.name, l.name == "region" ? "eu-west-2" : l.value); });
  Labels other = b.Build();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Compare(a, other));
  }
}
BENCHMARK(BM_LabelsCompare);

// Values the matcher benchmarks run over: a mix of hits and misses.
std::vector<std::string> MatchInputs() {
  std::vector<std::string> v;
  for (int i = 0; i < 64; ++i) {
    v.push_back((i % 3 == 0 ? "node-exporter-" : "kube-state-metrics-") + std::to_string(i));
  }
  return v;
}

// Fast path (state.range(0) == 0) against plain RE2 (1) for the same regex.
void RunMatcher(benchmark::State& state, const std::string& regex) {
  std::vector<std::string> inputs = MatchInputs();
  size_t matched = 0;
  if (state.range(0) == 0) {
    Matcher m = *Matcher::Create(MatchType::kRegexMatch, "job", regex);
    for (auto _ : state) {
      for (const std::string& s : inputs) matched += m.Matches(s);
    }
  } else {
    RE2::Options options;
    options.set_dot_nl(true);
    RE2 re(regex, options);
    for (auto _ : state) {
      for (const std::string& s : inputs) matched += RE2::FullMatch(s, re);
    }
  }
  benchmark::DoNotOptimize(matched);
  state.SetItemsProcessed(state.iterations() * inputs.size());
  state.SetLabel(state.range(0) == 0 ? "matcher" : "re2");
}

void BM_MatcherPrefix(benchmark::State& state) { RunMatcher(state, "node-exporter.*"); }
BENCHMARK(BM_MatcherPrefix)->Arg(0)->Arg(1);

void BM_MatcherContains(benchmark::State& state) { RunMatcher(state, ".*exporter.*"); }
BENCHMARK(BM_MatcherContains)->Arg(0)->Arg(1);

void BM_MatcherLiteral(benchmark::State& state) { RunMatcher(state, "node-exporter-3"); }
BENCHMARK(BM_MatcherLiteral)->Arg(0)->Arg(1);

void BM_MatcherAlternation(benchmark::State& state) {
  RunMatcher(state, "node-exporter-0|node-exporter-3|kube-state-metrics-1|api|db");
}
BENCHMARK(BM_MatcherAlternation)->Arg(0)->Arg(1);

void BM_MatcherAny(benchmark::State& state) { RunMatcher(state, ".*"); }
BENCHMARK(BM_MatcherAny)->Arg(0)->Arg(1);

void BM_MatcherGeneralRegex(benchmark::State& state) { RunMatcher(state, "(node|kube)-.*-[0-9]+"); }
BENCHMARK(BM_MatcherGeneralRegex)->Arg(0)->Arg(1);

constexpr int kSymbols = 100000;

const std::vector<std::string>& SymbolStrings() {
  static const auto* const strings = [] {
    auto* v = new std::vector<std::string>();
    for (int i = 0; i < kSymbols; ++i) v->push_back("label-value-" + std::to_string(i));
    return v;
  }();
  return *strings;
}

// One table shared by all benchmark threads, so the threaded run shows the
// cost of the shared lock under contention.
SymbolTable& SharedTable() {
  static SymbolTable* const table = [] {
    auto* t = new SymbolTable();
    for (const std::string& s : SymbolStrings()) t->Intern(s);
    return t;
  }();
  return *table;
}

// Intern of strings already present: the ingestion hit path.
void BM_SymbolTableInternHit(benchmark::State& state) {
  SymbolTable& t = SharedTable();
  const std::vector<std::string>& strings = SymbolStrings();
  size_t i = static_cast<size_t>(state.thread_index()) * 7919 % strings.size();
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.Intern(strings[i]));
    if (++i == strings.size()) i = 0;
  }
}
BENCHMARK(BM_SymbolTableInternHit)->ThreadRange(1, 2);

void BM_SymbolTableLookup(benchmark::State& state) {
  SymbolTable& t = SharedTable();
  uint32_t id = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.Lookup(id));
    if (++id == kSymbols) id = 0;
  }
}
BENCHMARK(BM_SymbolTableLookup);

}  // namespace
}  // namespace strata
