#include "tsdb/block/ulid.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tsdb/base/clock.h"

namespace strata::block {
namespace {

using ::testing::HasSubstr;

TEST(UlidTest, FormatKnownValues) {
  EXPECT_EQ(FormatUlid(0, 0, 0), "00000000000000000000000000");
  EXPECT_EQ(FormatUlid((uint64_t{1} << 48) - 1, 0xffff, ~uint64_t{0}),
            "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  // The time is the first 10 characters: 1469918176385 ms is 01ARYZ6S41 (the
  // ULID specification's example, ulid(1469918176385)).
  EXPECT_EQ(FormatUlid(1469918176385, 0, 0).substr(0, 10), "01ARYZ6S41");
  EXPECT_EQ(FormatUlid(0, 0, 1), "00000000000000000000000001");
  EXPECT_EQ(FormatUlid(0, 1, 0).substr(10), "000G000000000000");  // bit 64: 13 zeros, then G
}

TEST(UlidTest, ParseReturnsTime) {
  auto t = ParseUlid("01ARYZ6S41TSV4RRFFQ69G5FAV");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, 1469918176385);
  EXPECT_EQ(*ParseUlid(FormatUlid(123456789, 7, 8)), 123456789);
}

TEST(UlidTest, ParseRejectsInvalid) {
  EXPECT_THAT(ParseUlid("01ARZ3NDEKTSV4RRFFQ69G5FA").status().message(), HasSubstr("length 25"));
  EXPECT_THAT(ParseUlid("01ARZ3NDEKTSV4RRFFQ69G5FAVX").status().message(), HasSubstr("length 27"));
  EXPECT_THAT(ParseUlid("01ARZ3NDEKTSV4RRFFQ69G5FAI").status().message(),
              HasSubstr("character 'I' at 25"));
  EXPECT_THAT(ParseUlid("01ARZ3NDEKTSV4RRFFQ69G5FAU").status().message(),
              HasSubstr("character 'U'"));
  EXPECT_THAT(ParseUlid("01arz3ndektsv4rrffq69g5fav").status().message(),
              HasSubstr("character 'a'"));
  EXPECT_THAT(ParseUlid("80000000000000000000000000").status().message(), HasSubstr("overflow"));
  EXPECT_EQ(ParseUlid("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsUlid("01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp"));
  EXPECT_TRUE(IsUlid("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
}

TEST(UlidTest, GeneratorUsesClockAndIsMonotonicWithinAMillisecond) {
  ManualClock clock(1700000000000);
  UlidGenerator gen(&clock, /*seed=*/42);
  std::string prev = gen.Next();
  EXPECT_EQ(*ParseUlid(prev), 1700000000000);
  for (int i = 0; i < 1000; ++i) {
    std::string next = gen.Next();
    EXPECT_LT(prev, next);
    EXPECT_EQ(*ParseUlid(next), 1700000000000);
    prev = next;
  }
  clock.Set(1600000000000);  // the clock goes backwards: order is kept
  std::string back = gen.Next();
  EXPECT_LT(prev, back);
  EXPECT_EQ(*ParseUlid(back), 1700000000000);
  clock.Set(1700000000001);
  std::string later = gen.Next();
  EXPECT_LT(back, later);
  EXPECT_EQ(*ParseUlid(later), 1700000000001);
}

TEST(UlidTest, SeedsMakeRandomPartsReproducible) {
  ManualClock clock(5);
  UlidGenerator a(&clock, 7), b(&clock, 7), c(&clock, 8);
  std::string x = a.Next();
  EXPECT_EQ(x, b.Next());
  EXPECT_NE(x, c.Next());
}

TEST(UlidTest, NewUlidIsValidUniqueAndIncreasing) {
  std::set<std::string> seen;
  std::string prev;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewUlid();
    ASSERT_TRUE(IsUlid(id)) << id;
    EXPECT_LT(prev, id);
    EXPECT_TRUE(seen.insert(id).second);
    prev = id;
  }
}

}  // namespace
}  // namespace strata::block
