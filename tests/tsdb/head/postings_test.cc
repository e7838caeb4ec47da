#include "tsdb/head/postings.h"

#include <algorithm>
#include <random>
#include <set>

#include "gtest/gtest.h"

namespace strata {
namespace {

PostingsList RandomList(std::mt19937_64& rng, size_t n, uint64_t max) {
  std::set<SeriesRef> s;
  std::uniform_int_distribution<uint64_t> dist(1, max);
  while (s.size() < n) s.insert(dist(rng));
  return PostingsList(s.begin(), s.end());
}

TEST(PostingsTest, SetOperationsMatchStdAlgorithms) {
  std::mt19937_64 rng(1);
  for (int iter = 0; iter < 200; ++iter) {
    size_t na = rng() % 300, nb = rng() % 3000;
    uint64_t max = 1 + rng() % 5000;
    na = std::min<size_t>(na, max);
    nb = std::min<size_t>(nb, max);
    PostingsList a = RandomList(rng, na, max), b = RandomList(rng, nb, max);
    PostingsList want, got;

    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(want));
    IntersectPostings(a, b, &got);
    ASSERT_EQ(got, want);
    IntersectPostings(b, a, &got);
    ASSERT_EQ(got, want);

    want.clear();
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(want));
    SubtractPostings(a, b, &got);
    ASSERT_EQ(got, want);

    want.clear();
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(want));
    std::span<const SeriesRef> lists[] = {a, b};
    MergePostings(lists, &got);
    ASSERT_EQ(got, want);
  }
}

TEST(PostingsTest, EmptyInputs) {
  PostingsList empty, a = {1, 2, 3}, out = {9};
  IntersectPostings(empty, a, &out);
  EXPECT_TRUE(out.empty());
  SubtractPostings(a, empty, &out);
  EXPECT_EQ(out, a);
  SubtractPostings(empty, a, &out);
  EXPECT_TRUE(out.empty());
  MergePostings({}, &out);
  EXPECT_TRUE(out.empty());
}

TEST(MemPostingsTest, KeepsListsSortedWhenRefsArriveOutOfOrder) {
  MemPostings p;
  const uint32_t pairs[] = {1, 2, 3, 4};
  for (SeriesRef ref : {5, 3, 9, 1, 7}) p.Add(ref, pairs);
  PostingsList out;
  p.Get(1, 2, &out);
  EXPECT_EQ(out, (PostingsList{1, 3, 5, 7, 9}));
  p.All(&out);
  EXPECT_EQ(out, (PostingsList{1, 3, 5, 7, 9}));
  p.Get(1, 4, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(p.Values(1), std::vector<uint32_t>{2});
  auto names = p.Names();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<uint32_t>{1, 3}));
  EXPECT_GT(p.MemoryBytes(), 0u);
}

}  // namespace
}  // namespace strata
