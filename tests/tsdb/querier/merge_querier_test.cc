#include "tsdb/querier/merge_querier.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/read_batch_check.h"
#include "tests/tsdb/querier/fake_querier.h"

namespace strata {
namespace {

using ::testing::ElementsAre;
using testing::FakeSample;
using testing::FakeSeries;
using testing::VectorQuerier;
using testing::VectorSampleIterator;

using Samples = std::vector<FakeSample>;
using Result = std::vector<std::pair<std::string, Samples>>;

Labels L(std::string_view job) { return Labels::FromStrings({"__name__", "up", "job", job}); }

// Prometheus's stale marker and a NaN with another payload: both must pass
// through bit for bit.
const double kStale = std::bit_cast<double>(uint64_t{0x7ff0000000000002});
const double kOtherNaN = std::bit_cast<double>(uint64_t{0x7ff8000000000001});

Matcher M(MatchType type, std::string name, std::string value) {
  auto m = Matcher::Create(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

// The test owns the fakes through the merge querier; keep raw pointers to
// configure them.
struct Merged {
  std::unique_ptr<Querier> q;
  std::vector<VectorQuerier*> inputs;
};

Merged Merge(std::vector<std::vector<FakeSeries>> per_querier) {
  Merged m;
  std::vector<std::unique_ptr<Querier>> qs;
  for (auto& series : per_querier) {
    auto q = std::make_unique<VectorQuerier>(std::move(series));
    m.inputs.push_back(q.get());
    qs.push_back(std::move(q));
  }
  m.q = NewMergeQuerier(std::move(qs));
  return m;
}

Samples Drain(SampleIterator& it) {
  Samples out;
  while (it.Next()) out.push_back({it.t(), it.v()});
  EXPECT_TRUE(it.status().ok()) << it.status();
  return out;
}

Result ReadAll(Querier& q, std::vector<Matcher> matchers = {}) {
  Result out;
  auto set = q.Select(matchers);
  while (set->Next()) {
    auto it = set->Iterator();
    out.emplace_back(set->labels().ToString(), Drain(*it));
  }
  EXPECT_TRUE(set->status().ok()) << set->status();
  return out;
}

TEST(MergeQuerierTest, NoQueriersGiveAnEmptyQuerier) {
  auto q = NewMergeQuerier({});
  ASSERT_NE(q, nullptr);
  auto set = q->Select({});
  EXPECT_FALSE(set->Next());
  EXPECT_TRUE(set->status().ok());
  auto values = q->LabelValues("job", {});
  ASSERT_TRUE(values.ok());
  EXPECT_TRUE(values->empty());
  auto names = q->LabelNames({});
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
}

TEST(MergeQuerierTest, OneQuerierIsReturnedUnchanged) {
  auto inner = std::make_unique<VectorQuerier>(std::vector<FakeSeries>{{L("a"), {{1, 1}}}});
  Querier* raw = inner.get();
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(std::move(inner));
  EXPECT_EQ(NewMergeQuerier(std::move(qs)).get(), raw);
}

TEST(MergeQuerierTest, DisjointSeriesComeOutSorted) {
  Merged m = Merge(
      {{{L("c"), {{5, 50}}}, {L("a"), {{1, 10}, {2, 20}}}}, {{L("b"), {{3, 30}}}, {L("d"), {}}}});
  EXPECT_THAT(ReadAll(*m.q), ElementsAre(std::pair{L("a").ToString(), Samples{{1, 10}, {2, 20}}},
                                         std::pair{L("b").ToString(), Samples{{3, 30}}},
                                         std::pair{L("c").ToString(), Samples{{5, 50}}},
                                         std::pair{L("d").ToString(), Samples{}}));
}

TEST(MergeQuerierTest, SeriesInOneInputGetThatInputsIteratorDirectly) {
  Merged m = Merge({{{L("a"), {{1, 1}}}}, {{L("b"), {{2, 2}}}}});
  auto set = m.q->Select({});
  ASSERT_TRUE(set->Next());
  auto it = set->Iterator();
  EXPECT_NE(dynamic_cast<VectorSampleIterator*>(it.get()), nullptr);
  EXPECT_EQ(m.inputs[0]->iterators_created(), 1);
  EXPECT_EQ(m.inputs[1]->iterators_created(), 0);
}

TEST(MergeQuerierTest, SameSeriesInDisjointTimeRangesIsConcatenated) {
  const Samples old_block{{1, 1}, {2, 2}}, new_block{{10, 10}, {11, 11}}, head{{20, 20}};
  // Any list order: blocks then head, or head first.
  for (bool head_first : {false, true}) {
    Merged m = head_first ? Merge({{{L("a"), head}}, {{L("a"), old_block}}, {{L("a"), new_block}}})
                          : Merge({{{L("a"), old_block}}, {{L("a"), new_block}}, {{L("a"), head}}});
    EXPECT_THAT(ReadAll(*m.q),
                ElementsAre(std::pair{L("a").ToString(),
                                      Samples{{1, 1}, {2, 2}, {10, 10}, {11, 11}, {20, 20}}}))
        << head_first;
  }
}

TEST(MergeQuerierTest, InputsWithoutSamplesAreSkipped) {
  Merged m = Merge({{{L("a"), {}}}, {{L("a"), {{1, 1}, {2, 2}}}}, {{L("a"), {}}}});
  EXPECT_THAT(ReadAll(*m.q), ElementsAre(std::pair{L("a").ToString(), Samples{{1, 1}, {2, 2}}}));
  auto set = m.q->Select({});
  ASSERT_TRUE(set->Next());
  auto it = set->Iterator();
  ASSERT_TRUE(it->Seek(2));
  EXPECT_EQ(it->t(), 2);
  // Each merged Iterator() (one in ReadAll, one here) made one per input.
  for (VectorQuerier* in : m.inputs) EXPECT_EQ(in->iterators_created(), 2);
}

TEST(MergeQuerierTest, IteratorErrorOnTheFirstNext) {
  Merged m = Merge({{{L("a"), {{1, 1}}}}, {{L("a"), {{2, 2}}}}});
  m.inputs[0]->FailIteratorAt(L("a"), 0, absl::DataLossError("bad chunk"));
  auto set = m.q->Select({});
  ASSERT_TRUE(set->Next());
  auto it = set->Iterator();
  EXPECT_FALSE(it->Next());
  EXPECT_EQ(it->status(), absl::DataLossError("bad chunk"));
}

TEST(MergeQuerierTest, EqualTimestampsKeepTheEarliestQueriersSample) {
  Merged m = Merge({
      {{L("a"), {{1, 1}, {3, kStale}, {5, 5}, {7, 7}}}},
      {{L("a"), {{2, 20}, {3, 30}, {4, 40}, {5, kOtherNaN}, {6, 60}, {7, 70}}}},
      {{L("a"), {{3, 300}, {5, 500}, {7, 700}, {8, kStale}}}},
  });
  const Samples want{{1, 1}, {2, 20}, {3, kStale}, {4, 40}, {5, 5}, {6, 60}, {7, 7}, {8, kStale}};
  EXPECT_THAT(ReadAll(*m.q), ElementsAre(std::pair{L("a").ToString(), want}));
  // The later querier's NaN wins where the earlier has nothing, and an
  // earlier NaN wins over a later number.
  Merged n = Merge({{{L("a"), {{1, kOtherNaN}}}}, {{L("a"), {{1, 1}, {2, kStale}}}}});
  EXPECT_THAT(ReadAll(*n.q),
              ElementsAre(std::pair{L("a").ToString(), Samples{{1, kOtherNaN}, {2, kStale}}}));
}

TEST(MergeQuerierTest, BatchReadsAtTheExtremesOfTime) {
  // Duplicates at INT64_MIN and runs ending at INT64_MAX: batch bounds are
  // computed without wrapping.
  constexpr int64_t kFirst = std::numeric_limits<int64_t>::min();
  constexpr int64_t kLast = std::numeric_limits<int64_t>::max();
  Merged m = Merge({{{L("a"), {{kFirst, 1}, {0, 2}, {kLast, 3}}}},
                    {{L("a"), {{kFirst, 10}, {5, 20}, {kLast, 30}}}}});
  auto set = m.q->Select({});
  ASSERT_TRUE(set->Next());
  auto it = set->Iterator();
  ASSERT_TRUE(it->Next());
  TimedValue batch[8];
  bool positioned = true;
  ASSERT_EQ(it->ReadBatch(kLast, batch, 8, &positioned), 4u);
  EXPECT_FALSE(positioned);
  const int64_t want_t[] = {kFirst, 0, 5, kLast};
  const double want_v[] = {1, 2, 20, 3};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(batch[i].t, want_t[i]);
    EXPECT_EQ(batch[i].v, want_v[i]);
  }
  EXPECT_TRUE(it->status().ok());
}

TEST(MergeQuerierTest, SelectPassesMatchersToEveryQuerier) {
  Merged m = Merge({{{L("a"), {{1, 1}}}, {L("b"), {{1, 1}}}}, {{L("a"), {{2, 2}}}, {L("c"), {}}}});
  EXPECT_THAT(ReadAll(*m.q, {M(MatchType::kRegexMatch, "job", "a|c")}),
              ElementsAre(std::pair{L("a").ToString(), Samples{{1, 1}, {2, 2}}},
                          std::pair{L("c").ToString(), Samples{}}));
  EXPECT_TRUE(ReadAll(*m.q, {M(MatchType::kEqual, "job", "x")}).empty());
}

// Inputs: 0 -> 1 3 5 7 9, 1 -> 2 4 6 8 10 (value = 10 t), 2 -> 100.
std::unique_ptr<SampleIterator> SeekFixture(Merged* m, std::unique_ptr<SeriesSet>* set) {
  Samples odd, even;
  for (int64_t t = 1; t <= 10; ++t) (t % 2 ? odd : even).push_back({t, 10.0 * t});
  *m = Merge({{{L("a"), odd}}, {{L("a"), even}}, {{L("a"), {{100, 1000}}}}});
  *set = m->q->Select({});
  EXPECT_TRUE((*set)->Next());
  return (*set)->Iterator();
}

TEST(MergeQuerierTest, SeekMovesForwardOnly) {
  Merged m;
  std::unique_ptr<SeriesSet> set;
  auto it = SeekFixture(&m, &set);
  ASSERT_TRUE(it->Seek(4));  // before the first Next
  EXPECT_EQ(it->t(), 4);
  EXPECT_EQ(it->v(), 40);
  ASSERT_TRUE(it->Seek(2));  // backwards: stays
  EXPECT_EQ(it->t(), 4);
  ASSERT_TRUE(it->Seek(4));  // the current timestamp: stays
  EXPECT_EQ(it->t(), 4);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->t(), 5);
  ASSERT_TRUE(it->Seek(6));  // only the current input is behind
  EXPECT_EQ(it->t(), 6);
  ASSERT_TRUE(it->Seek(9));  // several inputs are behind
  EXPECT_EQ(it->t(), 9);
  EXPECT_EQ(it->v(), 90);
  ASSERT_TRUE(it->Seek(11));  // into the gap before the third input
  EXPECT_EQ(it->t(), 100);
  EXPECT_EQ(it->v(), 1000);
  EXPECT_FALSE(it->Next());
  EXPECT_FALSE(it->Seek(0));  // at the end, it stays there
  EXPECT_TRUE(it->status().ok());
}

TEST(MergeQuerierTest, SeekPastTheEnd) {
  Merged m;
  std::unique_ptr<SeriesSet> set;
  auto it = SeekFixture(&m, &set);
  ASSERT_TRUE(it->Next());
  EXPECT_FALSE(it->Seek(101));
  EXPECT_FALSE(it->Next());
  EXPECT_TRUE(it->status().ok());
  auto it2 = set->Iterator();  // past the end before starting
  EXPECT_FALSE(it2->Seek(1000));
  EXPECT_TRUE(it2->status().ok());
}

TEST(MergeQuerierTest, SeekSkipsDuplicatesOfTheTarget) {
  Merged m = Merge({{{L("a"), {{5, 1}}}}, {{L("a"), {{1, 2}, {5, 2}, {6, 2}}}}});
  auto set = m.q->Select({});
  ASSERT_TRUE(set->Next());
  auto it = set->Iterator();
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->t(), 1);
  ASSERT_TRUE(it->Seek(5));
  EXPECT_EQ(it->t(), 5);
  EXPECT_EQ(it->v(), 1);  // querier 0 wins
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->t(), 6);
  EXPECT_EQ(it->v(), 2);
  EXPECT_FALSE(it->Next());
}

TEST(MergeQuerierTest, SetErrorOfOneInputStopsTheMerge) {
  Merged m = Merge({{{L("a"), {}}, {L("c"), {}}, {L("e"), {}}}, {{L("b"), {}}, {L("d"), {}}}});
  m.inputs[1]->FailSetAfter(1, absl::DataLossError("bad block index"));
  auto set = m.q->Select({});
  std::vector<std::string> seen;
  while (set->Next()) seen.push_back(std::string(set->labels().Get("job")));
  // Input 1 fails when asked for the series after b, i.e. once b was current.
  EXPECT_THAT(seen, ElementsAre("a", "b"));
  EXPECT_EQ(set->status(), absl::DataLossError("bad block index"));
  EXPECT_FALSE(set->Next());
  EXPECT_EQ(set->status(), absl::DataLossError("bad block index"));
}

TEST(MergeQuerierTest, SetErrorOnTheFirstNext) {
  Merged m = Merge({{{L("a"), {}}}, {{L("b"), {}}}});
  m.inputs[0]->FailSetAfter(0, absl::UnavailableError("io"));
  auto set = m.q->Select({});
  EXPECT_FALSE(set->Next());
  EXPECT_EQ(set->status(), absl::UnavailableError("io"));
}

TEST(MergeQuerierTest, IteratorErrorOfOneInputStopsTheMergedIterator) {
  Merged m = Merge({{{L("a"), {{1, 1}, {3, 3}, {5, 5}}}}, {{L("a"), {{2, 2}, {4, 4}, {6, 6}}}}});
  m.inputs[1]->FailIteratorAt(L("a"), 2, absl::DataLossError("bad chunk"));
  auto set = m.q->Select({});
  ASSERT_TRUE(set->Next());
  auto it = set->Iterator();
  Samples got;
  while (it->Next()) got.push_back({it->t(), it->v()});
  // Input 1 fails when advanced past t=4, which happens once t=4 was current.
  EXPECT_THAT(got,
              ElementsAre(FakeSample{1, 1}, FakeSample{2, 2}, FakeSample{3, 3}, FakeSample{4, 4}));
  EXPECT_EQ(it->status(), absl::DataLossError("bad chunk"));
  EXPECT_FALSE(it->Next());
  EXPECT_FALSE(it->Seek(6));
  EXPECT_EQ(it->status(), absl::DataLossError("bad chunk"));
  // A Seek that reaches the failure reports it too.
  auto it2 = set->Iterator();
  EXPECT_FALSE(it2->Seek(5));
  EXPECT_EQ(it2->status(), absl::DataLossError("bad chunk"));
  // A batch read stops at the failure with what came before it.
  auto it3 = set->Iterator();
  ASSERT_TRUE(it3->Next());
  TimedValue batch[8];
  bool positioned = true;
  EXPECT_EQ(it3->ReadBatch(100, batch, 8, &positioned), 4u);
  EXPECT_FALSE(positioned);
  EXPECT_EQ(batch[3].t, 4);
  EXPECT_EQ(it3->status(), absl::DataLossError("bad chunk"));
  // The set itself is fine.
  EXPECT_FALSE(set->Next());
  EXPECT_TRUE(set->status().ok());
}

TEST(MergeQuerierTest, IteratorsStayValidAfterTheSetMovedOnAndDied) {
  Merged m =
      Merge({{{L("a"), {{1, 1}}}, {L("b"), {{1, 10}}}}, {{L("a"), {{2, 2}}}, {L("c"), {{3, 30}}}}});
  std::vector<std::pair<std::string, std::unique_ptr<SampleIterator>>> its;
  {
    auto set = m.q->Select({});
    while (set->Next()) its.emplace_back(set->labels().ToString(), set->Iterator());
    ASSERT_TRUE(set->status().ok());
  }
  ASSERT_EQ(its.size(), 3u);
  EXPECT_EQ(its[0].first, L("a").ToString());
  EXPECT_EQ(Drain(*its[0].second), (Samples{{1, 1}, {2, 2}}));
  EXPECT_EQ(Drain(*its[1].second), (Samples{{1, 10}}));
  EXPECT_EQ(Drain(*its[2].second), (Samples{{3, 30}}));
}

TEST(MergeQuerierTest, FiftyRandomInputsMatchABruteForceMerge) {
  std::mt19937_64 rng(42);
  constexpr int kQueriers = 50, kJobs = 30;
  // Brute force: labels -> t -> value of the earliest querier holding t.
  std::map<Labels, std::map<int64_t, double>> want;
  std::vector<std::vector<FakeSeries>> inputs(kQueriers);
  for (int q = 0; q < kQueriers; ++q) {
    for (int j = 0; j < kJobs; ++j) {
      if (rng() % 3 != 0) continue;
      const Labels l = L("job" + std::to_string(j));
      FakeSeries s{l, {}};
      // Mostly each querier its own time range, with overlap at the edges.
      int64_t t = q * 100 + static_cast<int64_t>(rng() % 150);
      for (int n = static_cast<int>(rng() % 40); n > 0; --n) {
        t += 1 + static_cast<int64_t>(rng() % 8);
        const double v = static_cast<double>(q * 1000 + n);
        s.samples.push_back({t, v});
        want[l].emplace(t, v);  // keeps the first (earliest querier)
      }
      inputs[q].push_back(std::move(s));
    }
  }
  Merged m = Merge(std::move(inputs));
  ASSERT_EQ(m.inputs.size(), 50u);

  auto set = m.q->Select({});
  auto w = want.begin();
  for (; set->Next(); ++w) {
    ASSERT_NE(w, want.end());
    ASSERT_EQ(set->labels(), w->first);
    Samples expected;
    for (auto [t, v] : w->second) expected.push_back({t, v});
    auto it = set->Iterator();
    ASSERT_EQ(Drain(*it), expected) << w->first.ToString();
    // Random forward seeks (some backwards, which must not move) and nexts.
    auto sit = set->Iterator();
    int64_t target = 0, pos = -1;  // pos: index in `expected` or -1
    for (int step = 0; step < 40; ++step) {
      if (rng() % 2 == 0) {
        target += static_cast<int64_t>(rng() % 200) - 40;
        if (pos >= 0 && expected[pos].t >= target) {
          ASSERT_TRUE(sit->Seek(target));
        } else {
          auto lb =
              std::lower_bound(expected.begin() + std::max<int64_t>(pos, 0), expected.end(), target,
                               [](const FakeSample& s, int64_t t) { return s.t < t; });
          if (lb == expected.end()) {
            ASSERT_FALSE(sit->Seek(target));
            break;
          }
          ASSERT_TRUE(sit->Seek(target));
          pos = lb - expected.begin();
        }
      } else {
        ++pos;
        if (pos >= static_cast<int64_t>(expected.size())) {
          ASSERT_FALSE(sit->Next());
          break;
        }
        ASSERT_TRUE(sit->Next());
      }
      ASSERT_EQ((FakeSample{sit->t(), sit->v()}), expected[pos]) << step;
    }
    EXPECT_TRUE(sit->status().ok());
    // Batch reads see what Next sees, through runs of one input and the
    // duplicates between them.
    testing::CheckReadBatchMatchesNext([&] { return set->Iterator(); }, rng(), 10);
  }
  EXPECT_EQ(w, want.end());
  EXPECT_TRUE(set->status().ok());
}

TEST(MergeQuerierTest, LabelValuesAndNamesAreSortedUnions) {
  Merged m = Merge({{{Labels::FromStrings({"__name__", "up", "job", "b", "zone", "1"}), {}}},
                    {{L("a"), {}}, {L("b"), {}}},
                    {},
                    {{Labels::FromStrings({"__name__", "x", "instance", "i", "job", "c"}), {}}}});
  auto values = m.q->LabelValues("job", {});
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_THAT(*values, ElementsAre("a", "b", "c"));
  auto names = m.q->LabelNames({});
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, ElementsAre("__name__", "instance", "job", "zone"));
  // Matchers reach every querier.
  const std::vector<Matcher> up{M(MatchType::kEqual, "__name__", "up")};
  values = m.q->LabelValues("job", up);
  ASSERT_TRUE(values.ok());
  EXPECT_THAT(*values, ElementsAre("a", "b"));
  names = m.q->LabelNames(up);
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(*names, ElementsAre("__name__", "job", "zone"));
  values = m.q->LabelValues("missing", {});
  ASSERT_TRUE(values.ok());
  EXPECT_TRUE(values->empty());
}

TEST(MergeQuerierTest, LabelQueryErrorsPropagate) {
  Merged m = Merge({{{L("a"), {}}}, {{L("b"), {}}}});
  m.inputs[1]->FailLabelQueries(absl::DataLossError("bad symbols"));
  EXPECT_EQ(m.q->LabelValues("job", {}).status(), absl::DataLossError("bad symbols"));
  EXPECT_EQ(m.q->LabelNames({}).status(), absl::DataLossError("bad symbols"));
}

}  // namespace
}  // namespace strata
