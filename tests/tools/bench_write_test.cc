// Runs the real `tsdb-tool bench write` on a small workload.
#include "gtest/gtest.h"
#include "tests/process_util.h"
#include "tests/test_util.h"

namespace strata {
namespace {

TEST(BenchWriteTest, WritesAndReports) {
  testing::TempDir dir;
  std::string out;
  int rc = testing::RunCommand(std::string(STRATA_BINARY_DIR) +
                                   "/tsdb-tool bench write --series 2000 --samples 10 --out " +
                                   dir.path() + "/bench 2>&1",
                               &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("samples written        20000"), std::string::npos) << out;
  EXPECT_NE(out.find("series                 2000"), std::string::npos) << out;
  EXPECT_NE(out.find("WAL bytes per sample"), std::string::npos) << out;
}

TEST(BenchWriteTest, BadArgumentsExitWithStatusTwo) {
  std::string out;
  EXPECT_EQ(testing::RunCommand(
                std::string(STRATA_BINARY_DIR) + "/tsdb-tool bench write --series 0 2>&1", &out),
            2)
      << out;
  EXPECT_EQ(
      testing::RunCommand(std::string(STRATA_BINARY_DIR) + "/tsdb-tool frobnicate 2>&1", &out), 2)
      << out;
}

}  // namespace
}  // namespace strata
