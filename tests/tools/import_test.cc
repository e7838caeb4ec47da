// `tsdb-tool import openmetrics`: the round trip the issue requires (import,
// dump-openmetrics equals the input byte for byte, again after compact) with
// the real binary, plus the library's order/duplicate/error/lock rules and
// the command line's exit statuses.
#include "tools/import.h"

#include <sys/file.h>

#include <bit>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/process_util.h"
#include "tests/test_util.h"
#include "tools/dump.h"
#include "tools/list_blocks.h"
#include "tools/openmetrics.h"
#include "tsdb/base/mem_fs.h"

namespace strata::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kT0 = 1700006400000;  // a multiple of 6h

void WriteFile(FileSystem* fs, const std::string& path, const std::string& text) {
  auto f = fs->NewWritableFile(path, true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append(text).ok());
  ASSERT_TRUE((*f)->Close().ok());
}

// 7 hours at 15 s of three series in dump order (series sorted, then time),
// in the canonical text the formatter writes. Values cycle through the hard
// cases: NaN, ±Inf, -0, huge, tiny, subnormal, long fractions.
std::string GenerateInput() {
  const double specials[] = {std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             -0.0,
                             1.7976931348623157e308,
                             5e-324,
                             2.2250738585072014e-308,
                             0.1,
                             -123456789.123456789,
                             1e21};
  const std::vector<Labels> series = {
      Labels::FromStrings({"__name__", "http_requests_total", "code", "200", "path", "/a\"b"}),
      Labels::FromStrings({"__name__", "http_requests_total", "code", "500"}),
      Labels::FromStrings({"__name__", "node_temp", "sensor", "x\\y\nz"}),
  };
  std::string out;
  for (size_t s = 0; s < series.size(); ++s) {
    double counter = 0;
    for (int64_t t = kT0; t < kT0 + 7 * kHour; t += 15000) {
      const int64_t i = (t - kT0) / 15000;
      double v;
      if (s == 0) {
        v = counter += static_cast<double>(i % 7);
      } else if (s == 1) {
        v = specials[i % 10];
      } else {
        v = 20.0 + static_cast<double>(i % 13) * 0.25;
      }
      AppendOpenMetricsSample(series[s], t, v, &out);
    }
  }
  out.append(kOpenMetricsEof);
  return out;
}

class ImportBinaryTest : public ::testing::Test {
 protected:
  int Run(const std::string& args, std::string* out) {
    return strata::testing::RunCommand(std::string(STRATA_BINARY_DIR) + "/tsdb-tool " + args, out);
  }
  std::string data() const { return tmp_.path() + "/data"; }
  std::string input() const { return tmp_.path() + "/in.om"; }
  strata::testing::TempDir tmp_;
};

TEST_F(ImportBinaryTest, RoundTripThroughImportDumpAndCompact) {
  const std::string text = GenerateInput();
  {
    std::ofstream f(input(), std::ios::binary);
    f << text;
  }
  std::string out;
  ASSERT_EQ(Run("import openmetrics " + input() + " " + data() + " 2>&1", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("imported 5040 samples into 4 block(s) in " + data() + "\n"));
  std::string dumped;
  ASSERT_EQ(Run("dump-openmetrics " + data(), &dumped), 0);
  EXPECT_EQ(dumped, text);

  ASSERT_EQ(Run("compact " + data() + " 2>&1", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("blocks before: 4\n"));
  EXPECT_THAT(out, HasSubstr("[1700006400000, 1700028000000) level 2\nblocks after: 2\n"));
  ASSERT_EQ(Run("dump-openmetrics " + data(), &dumped), 0);
  EXPECT_EQ(dumped, text);

  // The same samples through `dump`, promtool's other format.
  ASSERT_EQ(Run("dump --match 'node_temp' --max-time 1700006415000 " + data(), &dumped), 0);
  EXPECT_EQ(dumped,
            "{__name__=\"node_temp\", sensor=\"x\\\\y\\nz\"} 20 1700006400000\n"
            "{__name__=\"node_temp\", sensor=\"x\\\\y\\nz\"} 20.25 1700006415000\n");
  ASSERT_EQ(Run("verify " + data(), &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("blocks: 2 (6 series, "));
}

// A second process holds the lock as a server would: import and compact
// refuse and change nothing; the read-only commands work.
TEST_F(ImportBinaryTest, LockedDirectory) {
  {
    std::ofstream f(input(), std::ios::binary);
    f << GenerateInput();
  }
  std::string out;
  ASSERT_EQ(Run("import openmetrics --quiet " + input() + " " + data() + " 2>&1", &out), 0) << out;
  EXPECT_EQ(out, "");
  auto fs = NewPosixFileSystem();
  auto lock = fs->LockFile(data() + "/lock");
  ASSERT_TRUE(lock.ok()) << lock.status();
  auto entries = [&] { return fs->ListDir(data()).value(); };
  const std::vector<std::string> before = entries();

  EXPECT_EQ(Run("import openmetrics " + input() + " " + data() + " 2>&1", &out), 1);
  EXPECT_EQ(out, "tsdb-tool: data directory " + data() + " is in use by a running server (" +
                     data() + "/lock is held); stop it before importing\n");
  EXPECT_EQ(Run("compact " + data() + " 2>&1", &out), 1);
  EXPECT_THAT(out, HasSubstr("is in use by a running server"));
  EXPECT_EQ(Run("snapshot " + data() + " " + tmp_.path() + "/snap 2>&1", &out), 1);
  EXPECT_THAT(out, HasSubstr("POST /api/v1/admin/tsdb/snapshot"));
  EXPECT_EQ(entries(), before);

  EXPECT_EQ(Run("list " + data(), &out), 0) << out;
  EXPECT_EQ(Run("verify " + data(), &out), 0) << out;
  EXPECT_EQ(Run("analyze " + data(), &out), 0) << out;
  EXPECT_EQ(Run("dump " + data() + " | wc -l", &out), 0);
  EXPECT_EQ(out, "5040\n");
}

TEST_F(ImportBinaryTest, BadArgumentsExitTwo) {
  std::string out;
  EXPECT_EQ(Run("import openmetrics 2>&1", &out), 2);
  EXPECT_THAT(out, HasSubstr("FILE is required"));
  EXPECT_EQ(Run("import openmetrics --block-duration 0s x 2>&1", &out), 2);
  EXPECT_THAT(out, HasSubstr("must be a positive duration"));
  EXPECT_EQ(Run("import openmetrics --block-duration 1.5ms x 2>&1", &out), 2);
  EXPECT_EQ(Run("analyze --limit -1 2>&1", &out), 2);
  EXPECT_THAT(out, HasSubstr("must be a non-negative integer"));
  EXPECT_EQ(Run("dump --min-time abc 2>&1", &out), 2);
  EXPECT_EQ(Run("list --bogus 2>&1", &out), 2);
  EXPECT_EQ(Run("snapshot 2>&1", &out), 2);
  for (const char* cmd : {"list", "analyze", "dump", "dump-openmetrics", "import openmetrics",
                          "verify", "compact", "snapshot"}) {
    EXPECT_EQ(Run(std::string(cmd) + " --help", &out), 0) << cmd;
    EXPECT_THAT(out, HasSubstr("Usage:")) << cmd;
  }
  // Operational failures exit 1 with "tsdb-tool: ".
  EXPECT_EQ(Run("list " + tmp_.path() + "/none 2>&1", &out), 1);
  EXPECT_EQ(out, "tsdb-tool: data directory " + tmp_.path() + "/none does not exist\n");
  EXPECT_EQ(Run("import openmetrics " + tmp_.path() + "/none.om " + data() + " 2>&1", &out), 1);
  EXPECT_THAT(out, HasSubstr("tsdb-tool: "));
  EXPECT_FALSE(std::filesystem::exists(data()));
}

class ImportLibraryTest : public ::testing::Test {
 protected:
  absl::StatusOr<ImportResult> Import(const std::string& text, int64_t duration = 2 * kHour) {
    WriteFile(&fs_, "/in.om", text);
    ImportOptions options;
    options.block_duration_ms = duration;
    options.quiet = true;
    std::ostringstream out;
    auto r = ImportOpenMetrics(&fs_, "/in.om", "/data", options, out);
    EXPECT_EQ(out.str(), "");
    return r;
  }
  std::string Dump() {
    std::ostringstream out;
    std::vector<wal::WalProblem> problems;
    DumpOptions options;
    options.openmetrics = true;
    EXPECT_TRUE(DumpData(&fs_, "/data", options, out, &problems).ok());
    return out.str();
  }
  MemFileSystem fs_;
};

// Out-of-order samples within a window are sorted; exact repeats are kept
// once; windows are aligned to the duration, negative times included.
TEST_F(ImportLibraryTest, SortsWithinWindowsAndDropsExactRepeats) {
  auto r = Import(
      "a 3 7201\n"
      "a 1 3\n"
      "b 1 -1\n"
      "a 2 5\n"
      "a 2 5\n"
      "a 1 3.000\n"
      "# EOF\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->samples, 6u);
  ASSERT_EQ(r->blocks.size(), 3u);
  EXPECT_EQ(r->blocks[0].min_time, -2 * kHour);
  EXPECT_EQ(r->blocks[0].max_time, 0);
  EXPECT_EQ(r->blocks[1].min_time, 0);
  EXPECT_EQ(r->blocks[1].num_samples, 2u);
  EXPECT_EQ(r->blocks[2].min_time, 2 * kHour);
  EXPECT_EQ(r->blocks[2].max_time, 4 * kHour);
  EXPECT_EQ(r->overlapping, 0u);
  EXPECT_EQ(Dump(),
            "a{} 1 3.000\n"
            "a{} 2 5.000\n"
            "a{} 3 7201.000\n"
            "b{} 1 -1.000\n"
            "# EOF\n");

  // Importing again overlaps every block: reported, and queries merge them.
  auto again = Import("a 1 3\n# EOF\n");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->overlapping, 1u);
  EXPECT_THAT(Dump(), HasSubstr("a{} 1 3.000\na{} 2 5.000\n"));
}

TEST_F(ImportLibraryTest, ConflictingDuplicateRemovesEverythingWritten) {
  // The first window is fine and written; the second has a conflict.
  auto r = Import(
      "a 1 10\n"
      "a 2 7300\n"
      "a 3 7300\n"
      "# EOF\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(r.status().message()),
            "series a: two different values at timestamp 7300000 ms (2 and 3); removed the 1 "
            "block(s) this import had written");
  auto blocks = OpenBlocksReadOnly(&fs_, "/data");
  ASSERT_TRUE(blocks.ok());
  EXPECT_THAT(*blocks, IsEmpty());
}

TEST_F(ImportLibraryTest, SyntaxErrorChangesNothing) {
  auto r = Import("a 1 10\na 2\n# EOF\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("/in.om"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("line 2"));
  EXPECT_FALSE(fs_.Exists("/data"));
  r = Import("a 1 10\n");  // no # EOF
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(fs_.Exists("/data"));
  r = Import("a 1 10\n# EOF\n", 0);
  EXPECT_EQ(r.status().message(), "block duration must be positive, got 0ms");
}

TEST_F(ImportLibraryTest, RefusesWhileLockedAndPrintsProgress) {
  ASSERT_TRUE(fs_.CreateDirs("/data").ok());
  {
    auto lock = fs_.LockFile("/data/lock");
    ASSERT_TRUE(lock.ok());
    auto r = Import("a 1 10\n# EOF\n");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(r.status().message(),
              "data directory /data is in use by a running server (/data/lock is held); stop it "
              "before importing");
    EXPECT_EQ(fs_.ListDir("/data").value(), std::vector<std::string>{"lock"});
  }
  WriteFile(&fs_, "/in.om", "a 1 10\n# EOF\n");
  ImportOptions options;
  std::ostringstream progress, out;
  options.progress = &progress;
  options.progress_interval_s = 0;
  auto r = ImportOpenMetrics(&fs_, "/in.om", "/data", options, out);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(progress.str(), HasSubstr("import: checking: 0.0/0.0 MiB read, 1 samples, 0 block(s) "
                                        "written\n"));
  EXPECT_THAT(progress.str(), HasSubstr("import: window 1/1: "));
  EXPECT_THAT(out.str(), HasSubstr("imported 1 samples into 1 block(s) in /data\n"));
  EXPECT_THAT(out.str(), ::testing::StartsWith("BLOCK ULID"));
}

}  // namespace
}  // namespace strata::tools
