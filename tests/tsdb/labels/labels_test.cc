#include "tsdb/labels/labels.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace strata {
namespace {

std::vector<Label> Pairs(const Labels& ls) {
  std::vector<Label> out;
  ls.ForEach([&](const Label& l) { out.push_back(l); });
  return out;
}

TEST(LabelsTest, EmptySet) {
  Labels ls;
  EXPECT_TRUE(ls.empty());
  EXPECT_EQ(ls.size(), 0u);
  EXPECT_EQ(ls.Get("a"), "");
  EXPECT_FALSE(ls.Has("a"));
  EXPECT_EQ(ls.ToString(), "{}");
  EXPECT_EQ(ls, Labels::FromStrings({}));
  EXPECT_EQ(ls.Hash(), XXH3_64bits("", 0));
}

TEST(LabelsTest, FromUnsortedSorts) {
  Labels ls = Labels::FromUnsorted({{"job", "x"}, {"__name__", "up"}, {"instance", "a"}});
  ASSERT_EQ(ls.size(), 3u);
  EXPECT_EQ(ls[0], (Label{"__name__", "up"}));
  EXPECT_EQ(ls[1], (Label{"instance", "a"}));
  EXPECT_EQ(ls[2], (Label{"job", "x"}));
  std::vector<Label> want = {{"__name__", "up"}, {"instance", "a"}, {"job", "x"}};
  EXPECT_EQ(Pairs(ls), want);
  EXPECT_EQ(ls, Labels::FromSorted(want));
}

TEST(LabelsTest, SortIsByteWise) {
  // Upper case sorts before '_' (0x5f), which sorts before lower case; bytes
  // >= 0x80 (UTF-8) sort last.
  Labels ls = Labels::FromStrings({"b", "1", "\xc3\xa9", "2", "_a", "3", "Z", "4"});
  EXPECT_EQ(ls[0].name, "Z");
  EXPECT_EQ(ls[1].name, "_a");
  EXPECT_EQ(ls[2].name, "b");
  EXPECT_EQ(ls[3].name, "\xc3\xa9");
}

TEST(LabelsTest, FromUnsortedKeepsDuplicatesDeterministically) {
  Labels a = Labels::FromUnsorted({{"a", "2"}, {"b", "x"}, {"a", "1"}});
  Labels b = Labels::FromUnsorted({{"a", "1"}, {"a", "2"}, {"b", "x"}});
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a[0], (Label{"a", "1"}));
  EXPECT_EQ(a[1], (Label{"a", "2"}));
}

TEST(LabelsTest, LargeUnsortedSet) {
  std::vector<Label> in;
  std::vector<std::string> names;
  for (int i = 0; i < 100; ++i) names.push_back("l" + std::to_string((i * 37) % 100));
  for (const auto& n : names) in.push_back({n, n});
  Labels ls = Labels::FromUnsorted(in);
  ASSERT_EQ(ls.size(), 100u);
  auto pairs = Pairs(ls);
  for (size_t i = 1; i < pairs.size(); ++i) EXPECT_LT(pairs[i - 1].name, pairs[i].name);
}

TEST(LabelsTest, GetAndHas) {
  Labels ls = Labels::FromStrings({"__name__", "up", "job", "x", "empty", ""});
  EXPECT_EQ(ls.Get("__name__"), "up");
  EXPECT_EQ(ls.Get("job"), "x");
  EXPECT_EQ(ls.Get("nope"), "");
  EXPECT_EQ(ls.Get("a"), "");  // before the first name
  EXPECT_EQ(ls.Get("zzz"), "");
  EXPECT_EQ(ls.Get(""), "");
  EXPECT_TRUE(ls.Has("job"));
  EXPECT_TRUE(ls.Has("empty"));
  EXPECT_EQ(ls.Get("empty"), "");
  EXPECT_FALSE(ls.Has("nope"));
  EXPECT_FALSE(ls.Has("jo"));
}

TEST(LabelsTest, LongStringsUseMultiByteLengths) {
  std::string big(100000, 'v');
  std::string name(300, 'n');
  Labels ls = Labels::FromStrings({name, big, "a", "b"});
  EXPECT_EQ(ls.Get(name), big);
  EXPECT_EQ(ls.Get("a"), "b");
  EXPECT_EQ(ls[1].value, big);
}

TEST(LabelsTest, ViewsOutliveInputs) {
  Labels ls;
  {
    std::string n = "name", v = "value";
    ls = Labels::FromStrings({n, v});
  }
  EXPECT_EQ(ls.Get("name"), "value");
  Labels copy = ls;
  EXPECT_EQ(copy, ls);
  EXPECT_EQ(copy.Get("name"), "value");
}

TEST(LabelsTest, Equality) {
  Labels a = Labels::FromStrings({"a", "1", "b", "2"});
  EXPECT_EQ(a, Labels::FromStrings({"b", "2", "a", "1"}));
  EXPECT_NE(a, Labels::FromStrings({"a", "1", "b", "3"}));
  EXPECT_NE(a, Labels::FromStrings({"a", "1"}));
  // The length prefixes keep "ab"+"c" apart from "a"+"bc".
  EXPECT_NE(Labels::FromStrings({"ab", "c"}), Labels::FromStrings({"a", "bc"}));
}

TEST(LabelsTest, CompareOrdering) {
  auto L = [](std::initializer_list<std::string_view> p) { return Labels::FromStrings(p); };
  struct Case {
    Labels a, b;
    int want;
  };
  std::vector<Case> cases = {
      {L({}), L({}), 0},
      {L({"a", "1"}), L({"a", "1"}), 0},
      {L({"a", "1"}), L({"a", "2"}), -1},
      {L({"a", "2"}), L({"a", "1"}), 1},
      {L({"a", "1"}), L({"b", "0"}), -1},  // name before value
      {L({"b", "0"}), L({"a", "9"}), 1},
      {L({"a", "1"}), L({"a", "1", "b", "1"}), -1},  // shorter first
      {L({"a", "1", "b", "1"}), L({"a", "1"}), 1},
      {L({}), L({"a", ""}), -1},
      {L({"a", "1", "c", "1"}), L({"a", "1", "b", "9"}), 1},
      {L({"a", "x"}), L({"a", "\xc3\xa9"}), -1},  // unsigned byte order
      {L({"a", "ab"}), L({"a", "abc"}), -1},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    EXPECT_EQ(Compare(c.a, c.b), c.want) << i << ": " << c.a.ToString() << " vs " << c.b.ToString();
    EXPECT_EQ(Compare(c.b, c.a), -c.want) << i;
    EXPECT_EQ(c.a < c.b, c.want < 0) << i;
  }
}

// Compare scans the encoded pairs for the first differing byte; it must
// order exactly as comparing the pairs one by one does (Prometheus's
// labels.Compare), including prefixes of names and values, empty values,
// multi-byte UTF-8 and sets of different sizes, long enough for the
// word-at-a-time scan.
TEST(LabelsTest, CompareMatchesPairwiseOrder) {
  std::mt19937_64 rng(31);
  const std::vector<std::string> tokens = {
      "",      "a",        "ab",        "abc",          "b", "\xc3\xa9", "z",
      "a\x01", "instance", "instances", "10.0.0.1:9100"};
  auto random_set = [&] {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::vector<std::string> names = {"__name__", "a", "ab", "b", "cluster", "instance", "job"};
    for (const std::string& name : names) {
      if (rng() % 3 == 0) continue;
      std::string value = tokens[rng() % tokens.size()];
      if (rng() % 2) value += tokens[rng() % tokens.size()];
      pairs.emplace_back(name, value);
    }
    return pairs;
  };
  auto build = [](const std::vector<std::pair<std::string, std::string>>& pairs) {
    Labels::Builder b;
    for (const auto& [n, v] : pairs) b.Add(n, v);
    return b.Build();
  };
  for (int i = 0; i < 20000; ++i) {
    auto pa = random_set();
    auto pb = rng() % 4 ? random_set() : pa;
    if (!pb.empty() && rng() % 4 == 0) pb.pop_back();   // a prefix of the pairs
    const int want = pa < pb ? -1 : (pb < pa ? 1 : 0);  // pairwise, bytewise
    const Labels a = build(pa), b = build(pb);
    ASSERT_EQ(Compare(a, b), want) << a.ToString() << " vs " << b.ToString();
    ASSERT_EQ(Compare(b, a), -want);
  }
}

TEST(LabelsTest, HashMatchesSpec) {
  Labels ls = Labels::FromStrings({"__name__", "up", "job", "x"});
  std::string input = std::string("__name__\xffup\xff") + "job\xffx\xff";
  EXPECT_EQ(ls.Hash(), XXH3_64bits(input.data(), input.size()));
  // Pinned so an accidental change of the hash (used for sharding) is noticed.
  EXPECT_EQ(ls.Hash(), 0xb1e966065e3c83c8ull);
  EXPECT_EQ(Labels::HashSorted(Pairs(ls)), ls.Hash());
}

TEST(LabelsTest, HashEqualForEqualSets) {
  Labels a = Labels::FromStrings({"b", "2", "a", "1"});
  Labels b = Labels::FromUnsorted({{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(a.Hash(), b.Hash());
  EXPECT_NE(a.Hash(), Labels::FromStrings({"a", "1", "b", "3"}).Hash());
  EXPECT_NE(Labels::FromStrings({"ab", "c"}).Hash(), Labels::FromStrings({"a", "bc"}).Hash());
  EXPECT_NE(Labels::FromStrings({"a", "b"}).Hash(), Labels::FromStrings({"b", "a"}).Hash());
}

TEST(LabelsTest, HashOfLargeSetStreamsToSameDigest) {
  // Beyond the stack buffer the hash streams; the digest must not change.
  std::string v1(700, 'x'), v2(700, 'y');
  Labels ls = Labels::FromStrings({"a", v1, "b", v2, "c", ""});
  std::string input = "a\xff" + v1 + "\xff" + "b\xff" + v2 + "\xff" + "c\xff\xff";
  EXPECT_EQ(ls.Hash(), XXH3_64bits(input.data(), input.size()));
  EXPECT_EQ(Labels::HashSorted(Pairs(ls)), ls.Hash());
}

TEST(LabelsTest, BuilderReusesAndSorts) {
  Labels::Builder b;
  b.Add("job", "x");
  b.Add("__name__", "up");
  Labels first = b.Build();
  EXPECT_EQ(first, Labels::FromStrings({"__name__", "up", "job", "x"}));
  EXPECT_EQ(Labels::HashSorted(b.labels()), first.Hash());
  b.Reset();
  EXPECT_EQ(b.size(), 0u);
  b.Add("z", "1");
  b.Add("a", "2");
  b.Sort();
  EXPECT_EQ(b.labels()[0].name, "a");
  EXPECT_EQ(b.Build(), Labels::FromStrings({"a", "2", "z", "1"}));
}

TEST(LabelsTest, WithoutEmpty) {
  Labels ls = Labels::FromStrings({"a", "", "b", "1", "c", ""});
  EXPECT_EQ(ls.WithoutEmpty(), Labels::FromStrings({"b", "1"}));
  Labels full = Labels::FromStrings({"a", "1"});
  EXPECT_EQ(full.WithoutEmpty(), full);
  EXPECT_TRUE(Labels::FromStrings({"a", ""}).WithoutEmpty().empty());
}

TEST(LabelsTest, ToString) {
  struct Case {
    Labels ls;
    std::string want;
  };
  std::vector<Case> cases = {
      {Labels::FromStrings({"__name__", "up"}), "up"},
      {Labels::FromStrings({"__name__", "up", "job", "x", "instance", "a"}),
       R"(up{instance="a", job="x"})"},
      {Labels::FromStrings({"job", "x"}), R"({job="x"})"},
      {Labels::FromStrings({"__name__", "a:b_c", "Z", "1"}), R"(a:b_c{Z="1"})"},
      // Prometheus 3 UTF-8 names: quoted, the metric name first inside braces.
      {Labels::FromStrings({"__name__", "my.metric", "job", "x"}), R"({"my.metric", job="x"})"},
      {Labels::FromStrings({"__name__", "my.metric"}), R"({"my.metric"})"},
      {Labels::FromStrings({"__name__", "1up"}), R"({"1up"})"},
      {Labels::FromStrings({"__name__", "up", "label.with.dots", "v", "a", "b"}),
       R"(up{a="b", "label.with.dots"="v"})"},
      {Labels::FromStrings({"0a", "v"}), R"({"0a"="v"})"},
      {Labels::FromStrings({"a:b", "v"}), R"({"a:b"="v"})"},  // ':' only in metric names
      {Labels::FromStrings({"__name__", "", "job", "x"}), R"({__name__="", job="x"})"},
      // Value escaping as Go's %q.
      {Labels::FromStrings({"a", "q\"b\\s"}), R"({a="q\"b\\s"})"},
      {Labels::FromStrings({"a", "l1\nl2\t\r"}), R"({a="l1\nl2\t\r"})"},
      {Labels::FromStrings({"a", std::string_view("\a\b\f\v\x01\x7f\0", 7)}),
       R"({a="\a\b\f\v\x01\x7f\x00"})"},
      {Labels::FromStrings({"a", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"}),
       "{a=\"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\"}"},
      {Labels::FromStrings({"a", "bad\xff\xc3"}), R"({a="bad\xff\xc3"})"},
      {Labels::FromStrings({"a", "\xc2\x85\xc2\xa0\xe2\x80\xa8\xef\xbb\xbf"}),
       R"({a="\u0085\u00a0\u2028\ufeff"})"},
      {Labels::FromStrings({"a", "\xf3\xa0\x80\x81"}), R"({a="\U000e0001"})"},
      {Labels::FromStrings({"a", "\xed\xa0\x80"}), R"({a="\xed\xa0\x80"})"},  // surrogate
  };
  for (const Case& c : cases) EXPECT_EQ(c.ls.ToString(), c.want);
}

TEST(LabelsTest, GoQuote) {
  EXPECT_EQ(GoQuote(""), R"("")");
  EXPECT_EQ(GoQuote("abc"), R"("abc")");
  EXPECT_EQ(GoQuote("\xe4\xb8\x96\xe7\x95\x8c"), "\"\xe4\xb8\x96\xe7\x95\x8c\"");
  EXPECT_EQ(GoQuote("\xc0\xaf"), R"("\xc0\xaf")");                  // overlong '/'
  EXPECT_EQ(GoQuote("\xf4\x90\x80\x80"), R"("\xf4\x90\x80\x80")");  // > U+10FFFF
  std::string s = "x";
  AppendGoQuoted(&s, "y");
  EXPECT_EQ(s, R"(x"y")");
}

TEST(LabelsTest, Utf8Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"));
  EXPECT_TRUE(IsValidUtf8("aaaaaaaaaaaaaaa\xc3\xa9"));
  EXPECT_FALSE(IsValidUtf8("aaaaaaaaaaaaaaa\xc3"));  // truncated at the end
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xe2\x9c"));
  EXPECT_TRUE(IsValidUtf8(std::string_view("\0", 1)));
}

TEST(LabelsTest, ReplaceInvalidUtf8) {
  EXPECT_EQ(ReplaceInvalidUtf8("abc\xc3\xa9"), "abc\xc3\xa9");
  EXPECT_EQ(ReplaceInvalidUtf8("a\xff\xfe"), "a\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(ReplaceInvalidUtf8("\xe2\x9c"), "\xef\xbf\xbd\xef\xbf\xbd");  // per byte, as Go
  EXPECT_EQ(ReplaceInvalidUtf8(""), "");
}

TEST(LabelsTest, LegacyNames) {
  EXPECT_TRUE(IsLegacyLabelName("job"));
  EXPECT_TRUE(IsLegacyLabelName("_x9"));
  EXPECT_TRUE(IsLegacyLabelName("__name__"));
  EXPECT_FALSE(IsLegacyLabelName(""));
  EXPECT_FALSE(IsLegacyLabelName("9x"));
  EXPECT_FALSE(IsLegacyLabelName("a:b"));
  EXPECT_FALSE(IsLegacyLabelName("a.b"));
  EXPECT_FALSE(IsLegacyLabelName("\xc3\xa9"));
  EXPECT_TRUE(IsLegacyMetricName("a:b_c9"));
  EXPECT_TRUE(IsLegacyMetricName(":a"));
  EXPECT_FALSE(IsLegacyMetricName(""));
  EXPECT_FALSE(IsLegacyMetricName("9a"));
  EXPECT_FALSE(IsLegacyMetricName("a-b"));
}

TEST(LabelsTest, Validate) {
  struct Case {
    Labels ls;
    std::string error;  // empty: valid
  };
  std::vector<Case> cases = {
      {Labels(), ""},
      {Labels::FromStrings({"__name__", "up", "job", "x"}), ""},
      {Labels::FromStrings({"__name__", "my.metric", "label with space", "\xe2\x9c\x93"}), ""},
      {Labels::FromStrings({"__reserved__", "x", "a", ""}), ""},
      {Labels::FromStrings({"", "x"}), R"(invalid label name "": empty)"},
      {Labels::FromStrings({"bad\xff", "x"}), R"(invalid label name "bad\xff": not valid UTF-8)"},
      {Labels::FromUnsorted({{"job", "a"}, {"x", "1"}, {"job", "b"}}),
       R"(duplicate label name "job")"},
      {Labels::FromUnsorted({{"job", "a"}, {"job", "a"}}), R"(duplicate label name "job")"},
      {Labels::FromStrings({"x", "\xc3("}), R"(invalid UTF-8 in value of label "x")"},
  };
  for (const Case& c : cases) {
    absl::Status s = ValidateLabels(c.ls);
    if (c.error.empty()) {
      EXPECT_TRUE(s.ok()) << c.ls.ToString() << ": " << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.ls.ToString();
      EXPECT_EQ(s.message(), c.error);
    }
  }
}

}  // namespace
}  // namespace strata
