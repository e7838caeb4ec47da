#include "tsdb/labels/matcher.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "re2/re2.h"
#include "tsdb/labels/labels.h"

namespace strata {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Matcher Make(MatchType type, std::string value, std::string name = "foo") {
  absl::StatusOr<Matcher> m = Matcher::Create(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status();
  return *std::move(m);
}

const char* TypeName(MatchType t) {
  switch (t) {
    case MatchType::kEqual:
      return "=";
    case MatchType::kNotEqual:
      return "!=";
    case MatchType::kRegexMatch:
      return "=~";
    case MatchType::kRegexNoMatch:
      return "!~";
  }
  return "?";
}

// One row: a matcher on label "foo" against a series whose foo is `label`
// (nullptr: the series has no foo, which Prometheus treats as "").
struct Row {
  MatchType type;
  std::string value;
  const char* label;
  bool want;
};

// Evaluates a matcher on a series as the query layer does.
bool MatchesSeries(const Matcher& m, const Labels& series) {
  return m.Matches(series.Get(m.name()));
}

TEST(MatcherTest, Semantics) {
  using enum MatchType;
  const std::vector<Row> rows = {
      // =
      {kEqual, "bar", "bar", true},
      {kEqual, "bar", "baz", false},
      {kEqual, "bar", "", false},
      {kEqual, "bar", nullptr, false},
      {kEqual, "", nullptr, true},  // {foo=""} selects series without foo
      {kEqual, "", "", true},
      {kEqual, "", "bar", false},
      {kEqual, "ba", "bar", false},
      // !=
      {kNotEqual, "bar", "bar", false},
      {kNotEqual, "bar", "baz", true},
      {kNotEqual, "bar", nullptr, true},
      {kNotEqual, "", nullptr, false},  // {foo!=""}: only series that have foo
      {kNotEqual, "", "bar", true},
      // =~ anchoring
      {kRegexMatch, "a.*", "abc", true},
      {kRegexMatch, "a.*", "xab", false},
      {kRegexMatch, "a.*", "a", true},
      {kRegexMatch, ".*b", "xab", true},
      {kRegexMatch, ".*b", "xabc", false},
      {kRegexMatch, ".*b.*", "xabc", true},
      {kRegexMatch, "b", "abc", false},
      {kRegexMatch, "abc", "abc", true},
      {kRegexMatch, "ab", "abc", false},
      {kRegexMatch, "a.c", "abc", true},
      {kRegexMatch, "a.c", "abbc", false},
      {kRegexMatch, "a[bx]c", "axc", true},
      {kRegexMatch, "^abc$", "abc", true},
      {kRegexMatch, "a+", "aaa", true},
      {kRegexMatch, "a+", "aab", false},
      // =~ empty values
      {kRegexMatch, "", nullptr, true},
      {kRegexMatch, "", "a", false},
      {kRegexMatch, ".*", nullptr, true},
      {kRegexMatch, ".*", "anything", true},
      {kRegexMatch, ".+", nullptr, false},
      {kRegexMatch, ".+", "x", true},
      {kRegexMatch, "a|", nullptr, true},
      {kRegexMatch, "a|", "a", true},
      {kRegexMatch, "a?", nullptr, true},
      {kRegexMatch, "bar", nullptr, false},
      // dot-all: '.' matches a newline, as in Prometheus's (?s)
      {kRegexMatch, ".*", "a\nb", true},
      {kRegexMatch, ".+", "\n", true},
      {kRegexMatch, "a.b", "a\nb", true},
      {kRegexMatch, "a.*", "a\n", true},
      {kRegexMatch, ".*b", "\nb", true},
      {kRegexMatch, "a(.|x)*b", "a\nxb", true},
      {kRegexMatch, "^a$", "a\n", false},  // $ is end of text only
      // alternations
      {kRegexMatch, "a|b|c", "b", true},
      {kRegexMatch, "a|b|c", "ab", false},
      {kRegexMatch, "a|b|c", "d", false},
      {kRegexMatch, "foo|bar", "foobar", false},
      {kRegexMatch, "(foo|bar)", "bar", true},
      {kRegexMatch, "foo|bar.*", "barx", true},
      {kRegexMatch, "foo|bar.*", "foox", false},
      {kRegexMatch, "a\\.b|c", "a.b", true},
      {kRegexMatch, "a\\.b|c", "axb", false},
      // case-insensitive
      {kRegexMatch, "(?i)foo", "FoO", true},
      {kRegexMatch, "(?i)foo", "foox", false},
      {kRegexMatch, "(?i)foo|bar", "BAR", true},
      {kRegexMatch, "foo", "FOO", false},
      // UTF-8
      {kRegexMatch, "caf.", "caf\xc3\xa9", true},
      {kRegexMatch, "\xc3\xa9+", "\xc3\xa9\xc3\xa9", true},
      {kRegexMatch, ".", "\xe2\x9c\x93", true},
      // Invalid UTF-8 in a value: each bad byte is one character, as Go's
      // regexp reads it (RE2 alone would not match '.' against it).
      {kRegexMatch, ".*", "a\xff", true},
      {kRegexMatch, "a.*", "a\xff", true},
      {kRegexMatch, "(?i)A.*", "a\xffz", true},
      {kRegexMatch, "a.b",
       "a\xff"
       "b",
       true},
      {kRegexMatch, "a..b",
       "a\xff\xfe"
       "b",
       true},
      {kRegexMatch, "[^a]", "\xff", true},
      {kRegexMatch, "..", "\xc3\xa9", false},  // one valid character
      {kRegexNoMatch, "(?i)x.*", "X\xff", false},
      // !~
      {kRegexNoMatch, "a.*", "abc", false},
      {kRegexNoMatch, "a.*", "xab", true},
      {kRegexNoMatch, "a.*", nullptr, true},
      {kRegexNoMatch, "", nullptr, false},
      {kRegexNoMatch, "", "a", true},
      {kRegexNoMatch, ".*", nullptr, false},
      {kRegexNoMatch, ".*", "a\nb", false},
      {kRegexNoMatch, ".+", nullptr, true},
      {kRegexNoMatch, ".+", "x", false},
      {kRegexNoMatch, "a|b", "c", true},
      {kRegexNoMatch, "a|b", "a", false},
      {kRegexNoMatch, "(?i)foo", "FOO", false},
  };
  for (const Row& r : rows) {
    Matcher m = Make(r.type, r.value);
    Labels series = r.label == nullptr ? Labels::FromStrings({"other", "x"})
                                       : Labels::FromStrings({"foo", r.label, "other", "x"});
    EXPECT_EQ(MatchesSeries(m, series), r.want)
        << "foo" << TypeName(r.type) << GoQuote(r.value) << " on "
        << (r.label ? GoQuote(r.label) : "<absent>");
  }
}

TEST(MatcherTest, MatchesEmpty) {
  using enum MatchType;
  struct Case {
    MatchType type;
    std::string value;
    bool want;
  };
  const std::vector<Case> cases = {
      {kEqual, "", true},           {kEqual, "a", false},          {kNotEqual, "", false},
      {kNotEqual, "a", true},       {kRegexMatch, "", true},       {kRegexMatch, ".*", true},
      {kRegexMatch, ".+", false},   {kRegexMatch, "a|", true},     {kRegexMatch, "a*", true},
      {kRegexMatch, "a", false},    {kRegexMatch, "foo.*", false}, {kRegexNoMatch, "", false},
      {kRegexNoMatch, ".*", false}, {kRegexNoMatch, ".+", true},   {kRegexNoMatch, "a", true},
      {kRegexNoMatch, "a*", false},
  };
  for (const Case& c : cases) {
    Matcher m = Make(c.type, c.value);
    EXPECT_EQ(m.MatchesEmpty(), c.want) << TypeName(c.type) << c.value;
    EXPECT_EQ(m.MatchesEmpty(), m.Matches("")) << TypeName(c.type) << c.value;
  }
}

TEST(MatcherTest, SetMatches) {
  EXPECT_THAT(Make(MatchType::kRegexMatch, "a|b|c").SetMatches(), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Make(MatchType::kRegexMatch, "abc").SetMatches(), ElementsAre("abc"));
  EXPECT_THAT(Make(MatchType::kRegexMatch, "a|b|a").SetMatches(), ElementsAre("a", "b"));
  EXPECT_THAT(Make(MatchType::kRegexMatch, "a|").SetMatches(), ElementsAre("a", ""));
  EXPECT_THAT(Make(MatchType::kRegexMatch, "x\\.y|z").SetMatches(), ElementsAre("x.y", "z"));
  EXPECT_THAT(Make(MatchType::kRegexMatch, "a.*").SetMatches(), IsEmpty());
  EXPECT_THAT(Make(MatchType::kRegexMatch, "(a|b)").SetMatches(), IsEmpty());
  EXPECT_THAT(Make(MatchType::kRegexMatch, "(?i)a|b").SetMatches(), IsEmpty());
  EXPECT_THAT(Make(MatchType::kRegexNoMatch, "a|b").SetMatches(), IsEmpty());
  EXPECT_THAT(Make(MatchType::kEqual, "a").SetMatches(), IsEmpty());
}

TEST(MatcherTest, LargeAlternation) {
  std::string re;
  for (int i = 0; i < 1000; ++i) {
    if (i) re += "|";
    re += "value-" + std::to_string(i);
  }
  Matcher m = Make(MatchType::kRegexMatch, re);
  EXPECT_EQ(m.SetMatches().size(), 1000u);
  EXPECT_TRUE(m.Matches("value-0"));
  EXPECT_TRUE(m.Matches("value-999"));
  EXPECT_FALSE(m.Matches("value-1000"));
  EXPECT_FALSE(m.Matches(""));
  EXPECT_FALSE(m.MatchesEmpty());
}

TEST(MatcherTest, InvalidRegex) {
  absl::StatusOr<Matcher> m = Matcher::Create(MatchType::kRegexMatch, "foo", "(");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(m.status().message(), R"(invalid regular expression "(": missing ): ()");

  for (const char* bad :
       {"a)(b", "*", "a**", "[a", "a{2,1}", "\\", "(?P<n", ".*+", "a|*", "\xff", "\\8"}) {
    absl::StatusOr<Matcher> m = Matcher::Create(MatchType::kRegexNoMatch, "foo", bad);
    EXPECT_FALSE(m.ok()) << GoQuote(bad);
    EXPECT_THAT(m.status().message(), HasSubstr("invalid regular expression")) << GoQuote(bad);
  }
  // = and != take any value literally.
  EXPECT_TRUE(Matcher::Create(MatchType::kEqual, "foo", "(").ok());
}

TEST(MatcherTest, ToString) {
  EXPECT_EQ(Make(MatchType::kEqual, "bar").ToString(), R"(foo="bar")");
  EXPECT_EQ(Make(MatchType::kNotEqual, "").ToString(), R"(foo!="")");
  EXPECT_EQ(Make(MatchType::kRegexMatch, "a.*").ToString(), R"(foo=~"a.*")");
  EXPECT_EQ(Make(MatchType::kRegexNoMatch, "a\\.b").ToString(), R"(foo!~"a\\.b")");
  EXPECT_EQ(Make(MatchType::kEqual, "q\"\n").ToString(), R"(foo="q\"\n")");
  EXPECT_EQ(Make(MatchType::kEqual, "x", "my.label").ToString(), R"("my.label"="x")");
  EXPECT_EQ(Make(MatchType::kEqual, "x", "").ToString(), R"(""="x")");
  EXPECT_EQ(Make(MatchType::kEqual, "x", "__name__").ToString(), R"(__name__="x")");
}

TEST(MatcherTest, CopiesShareBehaviour) {
  Matcher m = Make(MatchType::kRegexMatch, "(?i)ab+c");
  Matcher copy = m;
  EXPECT_TRUE(copy.Matches("ABBC"));
  EXPECT_EQ(copy.ToString(), m.ToString());
  EXPECT_EQ(copy.type(), MatchType::kRegexMatch);
  EXPECT_EQ(copy.name(), "foo");
  EXPECT_EQ(copy.value(), "(?i)ab+c");
}

// Property: whatever path a matcher takes, it agrees with RE2 compiled the
// way Prometheus compiles regexes (dot-all, anchored at both ends).
TEST(MatcherTest, FastPathsAgreeWithRe2) {
  const std::vector<std::string> regexes = {
      "",       "foo",   "foo.*",      ".*foo",      ".*foo.*",
      "foo.+",  ".+foo", ".+foo.+",    ".*foo.+",    ".+foo.*",
      ".*",     ".+",    ".*.*",       ".+.+",       ".*.+",
      "a|b|ab", "a|",    "|",          "a||b",       "f\\.o.*",
      "\\*.*",  "a\\|b", "\xc3\xa9.+", ".+\xc3\xa9", ".*\xc3\xa9.*",
      "a b.*",  "\n.*",  ".*\n",       "a#b",        "o.*o",
      "fo*",    ".*o+",  "foo|.*",     "-.*",        "a/b|c:d",
  };
  // Strings built from pieces that hit the literals, partial overlaps,
  // newlines and multi-byte characters.
  const std::vector<std::string> pieces = {"f", "o", "foo", "a", "b", "\n", "\xc3\xa9", ".",
                                           "*", "|", " ",   "#", "-", "/",  "c:d",      "x"};
  std::mt19937 rng(42);
  std::vector<std::string> inputs = {"", "foo", "foofoo", "a", "ab", "b", "\xc3\xa9"};
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    int n = std::uniform_int_distribution<int>(0, 6)(rng);
    for (int k = 0; k < n; ++k) {
      s += pieces[std::uniform_int_distribution<size_t>(0, pieces.size() - 1)(rng)];
    }
    inputs.push_back(std::move(s));
  }
  RE2::Options options;
  options.set_dot_nl(true);
  options.set_log_errors(false);
  for (const std::string& re : regexes) {
    RE2 reference(re, options);
    ASSERT_TRUE(reference.ok()) << GoQuote(re) << ": " << reference.error();
    Matcher m = Make(MatchType::kRegexMatch, re);
    Matcher not_m = Make(MatchType::kRegexNoMatch, re);
    EXPECT_EQ(m.MatchesEmpty(), RE2::FullMatch("", reference)) << GoQuote(re);
    int mismatches = 0;
    for (const std::string& s : inputs) {
      bool want = RE2::FullMatch(s, reference);
      if (m.Matches(s) != want || not_m.Matches(s) == want) {
        ADD_FAILURE() << "regex " << GoQuote(re) << " on " << GoQuote(s) << ": want " << want;
        if (++mismatches > 5) break;
      }
    }
  }
}

}  // namespace
}  // namespace strata
