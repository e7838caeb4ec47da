// PromQL over persistent blocks: the same queries give bit-identical answers
// whether the data is in the head, cut into blocks, compacted into cold
// chunks, or reopened from disk.
#include <cstring>
#include <string>
#include <variant>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "promql/engine.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/db.h"

namespace strata::promql {
namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kStep = 15 * 1000;

// "labels t:bits …" per series, exact to the bit.
std::string Render(const Matrix& m) {
  std::string out;
  for (const Series& s : m) {
    out += s.metric.ToString();
    for (const FPoint& p : s.floats) {
      uint64_t bits;
      std::memcpy(&bits, &p.f, sizeof bits);
      out += fmt::format(" {}:{:x}", p.t, bits);
    }
    out += "\n";
  }
  return out;
}

// The first line where `got` and `want` differ, for a readable failure.
::testing::AssertionResult SameAnswers(const std::string& got, const std::string& want) {
  size_t gi = 0, wi = 0;
  for (int line = 1;; ++line) {
    size_t ge = got.find('\n', gi), we = want.find('\n', wi);
    std::string g = got.substr(gi, ge - gi), w = want.substr(wi, we - wi);
    if (g != w) {
      size_t c = 0;
      while (c < g.size() && c < w.size() && g[c] == w[c]) ++c;
      const size_t from = c > 80 ? c - 80 : 0;
      return ::testing::AssertionFailure()
             << "line " << line << " differs at column " << c << ":\n  got  …"
             << g.substr(from, 200) << "\n  want …" << w.substr(from, 200);
    }
    if (ge == std::string::npos || we == std::string::npos) break;
    gi = ge + 1;
    wi = we + 1;
  }
  return ::testing::AssertionSuccess();
}

class EngineBlocksTest : public ::testing::Test {
 protected:
  DBOptions Options() {
    DBOptions o;
    o.fs = &fs_;
    o.clock = &clock_;
    o.background_maintenance = false;
    o.retention_ms = 0;
    return o;
  }

  void Write(int64_t from, int64_t to) {
    for (int64_t t = from; t < to; t += kStep) {
      auto app = db_->NewAppender();
      for (int s = 0; s < 12; ++s) {
        const int64_t i = t / kStep;
        Labels l =
            Labels::FromStrings({"__name__", s < 8 ? "requests_total" : "temperature", "instance",
                                 std::to_string(s % 4), "job", s % 2 ? "api" : "db"});
        // Counters with a reset at 5h; gauges that wander; jitter-free.
        double v = s < 8 ? static_cast<double>((t >= 5 * kHour ? i - 1200 : i) * (s + 1))
                         : 20 + static_cast<double>((i * 7 + s) % 13) * 0.1;
        ASSERT_TRUE(app->Add(l, t + s, v).ok());
      }
      ASSERT_TRUE(app->Commit().ok());
    }
  }

  std::string Answers() {
    Queryable q = [this](int64_t mint, int64_t maxt) { return db_->NewQuerier(mint, maxt); };
    std::string out;
    for (const char* query :
         {"requests_total", "rate(requests_total[5m])",
          "sum by (job) (increase(requests_total[1h]))", "max_over_time(temperature[30m])",
          "avg(temperature)", "resets(requests_total[3h])", "count_over_time(temperature[2h])",
          "requests_total offset 1h"}) {
      // Up to 6h55m: later writes (from 7h on) must not change any answer.
      auto r = engine_.RangeQuery(q, query, 0, 7 * kHour - 5 * 60 * 1000, 5 * 60 * 1000);
      EXPECT_TRUE(r.ok()) << query << ": " << r.status();
      if (!r.ok()) continue;
      out += std::string(query) + "\n" + Render(std::get<Matrix>(r->value));
    }
    return out;
  }

  MemFileSystem fs_;
  ManualClock clock_{100 * kHour};
  std::unique_ptr<DB> db_;
  Engine engine_{EngineOptions{}};
};

TEST_F(EngineBlocksTest, AnswersAreTheSameFromHeadBlocksColdChunksAndDisk) {
  auto db = DB::Open("/db", Options());
  ASSERT_TRUE(db.ok()) << db.status();
  db_ = std::move(*db);
  Write(0, 7 * kHour);
  const std::string from_head = Answers();
  ASSERT_NE(from_head.find("requests_total{instance=\"0\", job=\"db\"}"), std::string::npos);

  // [0,2h) and [2h,4h) become level-1 (XOR) blocks.
  ASSERT_TRUE(db_->Maintain().ok());
  ASSERT_EQ(db_->blocks().size(), 2u);
  EXPECT_TRUE(SameAnswers(Answers(), from_head));

  // More data: [0,6h) is merged into a level-2 block of cold chunks.
  Write(7 * kHour, 11 * kHour);
  ASSERT_TRUE(db_->Maintain().ok());
  ASSERT_EQ(db_->blocks().front()->meta().level, 2);
  EXPECT_TRUE(SameAnswers(Answers(), from_head));

  ASSERT_TRUE(db_->Close().ok());
  db = DB::Open("/db", Options());
  ASSERT_TRUE(db.ok()) << db.status();
  db_ = std::move(*db);
  EXPECT_TRUE(SameAnswers(Answers(), from_head));
}

}  // namespace
}  // namespace strata::promql
