// WindowOf: the points of a series inside each step's range window.
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "promql/evaluator.h"

namespace strata::promql {
namespace {

// The points of `all` with lo < t <= hi, by a plain scan.
std::vector<int64_t> Expected(const std::vector<FPoint>& all, int64_t lo, int64_t hi) {
  std::vector<int64_t> out;
  for (const FPoint& p : all) {
    if (p.t > lo && p.t <= hi) out.push_back(p.t);
  }
  return out;
}

std::vector<int64_t> Times(std::span<const FPoint> window) {
  std::vector<int64_t> out;
  for (const FPoint& p : window) out.push_back(p.t);
  return out;
}

TEST(WindowOfTest, OverlappingAndBackwardWindowsMatchAScan) {
  std::mt19937_64 rng(3);
  for (int series = 0; series < 50; ++series) {
    std::vector<FPoint> all;
    int64_t t = static_cast<int64_t>(rng() % 100);
    for (int n = static_cast<int>(rng() % 200); n > 0; --n) {
      t += 1 + static_cast<int64_t>(rng() % 30);
      all.push_back({t, 1.0});
    }
    WindowCursor cursor;
    int64_t hi = 0;
    for (int step = 0; step < 300; ++step) {
      // Mostly forward steps; sometimes a jump back (as @ can make), and
      // windows of changing length.
      hi += rng() % 8 == 0 ? -static_cast<int64_t>(rng() % 2000) : static_cast<int64_t>(rng() % 40);
      const int64_t lo = hi - static_cast<int64_t>(rng() % 300);
      SCOPED_TRACE(::testing::Message() << "series " << series << " step " << step);
      ASSERT_EQ(Times(WindowOf(all, lo, hi, &cursor)), Expected(all, lo, hi));
    }
  }
}

TEST(WindowOfTest, EmptySeriesAndEmptyWindows) {
  WindowCursor cursor;
  EXPECT_TRUE(WindowOf({}, 0, 100, &cursor).empty());
  const std::vector<FPoint> all = {{10, 1}, {20, 2}};
  EXPECT_TRUE(WindowOf(all, 20, 30, &cursor).empty());
  EXPECT_EQ(Times(WindowOf(all, 0, 20, &cursor)), (std::vector<int64_t>{10, 20}));
  EXPECT_TRUE(WindowOf(all, 10, 15, &cursor).empty());
}

}  // namespace
}  // namespace strata::promql
