// tsdb-tool's block subcommands through their library functions: list,
// analyze, dump (blocks + WAL), verify (damage with file and offset),
// compact and snapshot, and the lock rules (writers refuse, readers work).
#include <bit>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "compaction/compactor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/analyze.h"
#include "tools/compact_offline.h"
#include "tools/dump.h"
#include "tools/import_buffer.h"
#include "tools/list_blocks.h"
#include "tools/snapshot_offline.h"
#include "tools/verify_blocks.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/block/ulid.h"
#include "tsdb/db.h"

namespace strata::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kT0 = 1700006400000;  // a multiple of 6h

std::string Ulid(uint64_t n) { return block::FormatUlid(1700000000000 + n, 0, n); }

struct Sample {
  Labels labels;
  int64_t t;
  double v;
};

// Writes one level-1 block with ULID `ulid` over [mint, maxt).
void WriteTestBlock(FileSystem* fs, const std::string& dir, const std::string& ulid, int64_t mint,
                    int64_t maxt, const std::vector<Sample>& samples) {
  ImportBuffer buf;
  for (const Sample& s : samples) {
    std::vector<Label> labels;
    s.labels.ForEach([&](const Label& l) { labels.push_back(l); });
    buf.Add(labels, s.t, s.v);
  }
  ASSERT_TRUE(buf.Finish().ok());
  compaction::WriteBlockRequest req;
  req.fs = fs;
  req.db_dir = dir;
  req.ulid = ulid;
  req.min_time = mint;
  req.max_time = maxt;
  auto q = buf.NewQuerier();
  auto meta = compaction::WriteBlock(req, *q);
  ASSERT_TRUE(meta.ok()) << meta.status();
}

class BlockToolsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fs_.CreateDirs(dir_).ok()); }

  // Two blocks: [kT0, +2h) with up{job=a} and up{job=b}, [kT0+2h, +4h) with
  // up{job=a}; written newest first so listing must sort.
  void TwoBlocks() {
    const Labels a = Labels::FromStrings({"__name__", "up", "job", "a"});
    const Labels b = Labels::FromStrings({"__name__", "up", "job", "b"});
    WriteTestBlock(&fs_, dir_, Ulid(1), kT0 + 2 * kHour, kT0 + 4 * kHour,
                   {{a, kT0 + 2 * kHour, 3}, {a, kT0 + 2 * kHour + 15000, 4}});
    WriteTestBlock(&fs_, dir_, Ulid(2), kT0, kT0 + 2 * kHour,
                   {{a, kT0, 1}, {a, kT0 + 15000, 2}, {b, kT0, 0.5}});
  }

  std::string Dump(const DumpOptions& options, std::vector<wal::WalProblem>* problems = nullptr) {
    std::vector<wal::WalProblem> p;
    std::ostringstream out;
    absl::Status s = DumpData(&fs_, dir_, options, out, problems ? problems : &p);
    EXPECT_TRUE(s.ok()) << s;
    return out.str();
  }

  MemFileSystem fs_;
  const std::string dir_ = "/data";
};

TEST(BlockFormatTest, GoDurationsSizesAndTimes) {
  EXPECT_EQ(FormatGoDurationMs(0), "0s");
  EXPECT_EQ(FormatGoDurationMs(500), "500ms");
  EXPECT_EQ(FormatGoDurationMs(15000), "15s");
  EXPECT_EQ(FormatGoDurationMs(1500), "1.5s");
  EXPECT_EQ(FormatGoDurationMs(60001), "1m0.001s");
  EXPECT_EQ(FormatGoDurationMs(2 * kHour), "2h0m0s");
  EXPECT_EQ(FormatGoDurationMs(-60000), "-1m0s");
  EXPECT_EQ(FormatGoDurationMs(std::numeric_limits<int64_t>::min()), "-2562047788015h12m55.808s");
  EXPECT_EQ(FormatBase2Bytes(0), "0B");
  EXPECT_EQ(FormatBase2Bytes(512), "512B");
  EXPECT_EQ(FormatBase2Bytes(2048), "2KiB");
  EXPECT_EQ(FormatBase2Bytes((1 << 20) + 512 * 1024 + 3), "1MiB512KiB3B");
  EXPECT_EQ(FormatRfc3339Ms(1700006400000), "2023-11-15T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Ms(1700006400123), "2023-11-15T00:00:00.123Z");
  std::ostringstream out;
  WriteTable({{"A", "BB", "C"}, {"a-very-long-cell", "b", "last-is-not-padded"}}, out);
  EXPECT_EQ(out.str(),
            "A                 BB           C\n"
            "a-very-long-cell  b            last-is-not-padded\n");
}

TEST_F(BlockToolsTest, ListSortsByMinTimeAndSkipsNonBlocks) {
  TwoBlocks();
  ASSERT_TRUE(fs_.CreateDirs(dir_ + "/wal").ok());
  ASSERT_TRUE(fs_.CreateDirs(dir_ + "/" + Ulid(3) + ".tmp-for-creation").ok());
  auto b1 = block::Block::Open(&fs_, dir_ + "/" + Ulid(1));
  auto b2 = block::Block::Open(&fs_, dir_ + "/" + Ulid(2));
  ASSERT_TRUE(b1.ok() && b2.ok());
  const std::string size1 = std::to_string((*b1)->SizeBytes());
  const std::string size2 = std::to_string((*b2)->SizeBytes());
  std::ostringstream out;
  EXPECT_EQ(RunList(&fs_, dir_, false, out), 0);
  auto pad = [](std::string s, size_t w) { return s.append(w - s.size(), ' '); };
  EXPECT_EQ(out.str(),
            pad("BLOCK ULID", 28) +
                "MIN TIME       MAX TIME       DURATION     NUM SAMPLES  "
                "NUM CHUNKS   NUM SERIES   SIZE\n" +
                pad(Ulid(2), 28) + "1700006400000  1700013600000  2h0m0s       3            " +
                "2            2            " + size2 + "\n" + pad(Ulid(1), 28) +
                "1700013600000  1700020800000  2h0m0s       2            1            1      "
                "      " +
                size1 + "\n");
  std::ostringstream human;
  EXPECT_EQ(RunList(&fs_, dir_, true, human), 0);
  EXPECT_THAT(human.str(),
              HasSubstr(pad(Ulid(2), 28) + "2023-11-15T00:00:00Z  2023-11-15T02:00:00Z  2h0m0s  "));
  EXPECT_THAT(human.str(), HasSubstr(FormatBase2Bytes((*b2)->SizeBytes()) + "\n"));
}

TEST_F(BlockToolsTest, ListReportsABrokenBlockAndFails) {
  TwoBlocks();
  ASSERT_TRUE(fs_.RemoveFile(dir_ + "/" + Ulid(1) + "/meta.json").ok());
  std::ostringstream out;
  EXPECT_EQ(RunList(&fs_, dir_, false, out), 1);
  EXPECT_THAT(out.str(), HasSubstr(Ulid(2)));
  EXPECT_THAT(out.str(), ::testing::Not(HasSubstr(Ulid(1))));
  std::ostringstream missing;
  EXPECT_EQ(RunList(&fs_, "/nope", false, missing), 1);
  EXPECT_EQ(missing.str(), "");
}

// Three series with one sample each: every series misses (almost) the whole
// range, so churn counts are whole series.
TEST_F(BlockToolsTest, AnalyzeExactReport) {
  const Labels ax = Labels::FromStrings({"__name__", "up", "instance", "x", "job", "a"});
  const Labels ay = Labels::FromStrings({"__name__", "up", "instance", "y", "job", "a"});
  const Labels bx = Labels::FromStrings({"__name__", "node_cpu", "instance", "x", "job", "b"});
  WriteTestBlock(&fs_, dir_, Ulid(1), kT0, kT0 + 2 * kHour,
                 {{ax, kT0, 1}, {ay, kT0 + 1000, 1}, {bx, kT0 + 2000, 1}});
  AnalyzeOptions options;
  options.limit = 2;
  std::ostringstream out;
  ASSERT_TRUE(RunAnalyze(&fs_, dir_, options, out).ok());
  EXPECT_EQ(out.str(), "Block ID: " + Ulid(1) +
                           "\n"
                           "Duration: 2h0m0s\n"
                           "Total Series: 3\n"
                           "Label names: 3\n"
                           "Postings (unique label pairs): 6\n"
                           "Postings entries (total label pairs): 9\n"
                           "\nLabel pairs most involved in churning:\n"
                           "2 __name__=up\n2 instance=x\n"
                           "\nLabel names most involved in churning:\n"
                           "3 __name__\n3 instance\n"
                           "\nMost common label pairs:\n"
                           "2 __name__=up\n2 instance=x\n"
                           "\nLabel names with highest cumulative label value length:\n"
                           "10 __name__\n2 instance\n"
                           "\nHighest cardinality labels:\n"
                           "2 __name__\n2 instance\n"
                           "\nHighest cardinality metric names:\n"
                           "2 up\n1 node_cpu\n");

  options.match = "up{instance=\"x\"}";
  options.block_id = Ulid(1);
  std::ostringstream matched;
  ASSERT_TRUE(RunAnalyze(&fs_, dir_, options, matched).ok());
  EXPECT_THAT(matched.str(), HasSubstr("Total Series: 3\nMatcher: up{instance=\"x\"}\n"
                                       "Label names: 3\nMatched series: 1\n"
                                       "Postings (unique label pairs): 3\n"));
  EXPECT_THAT(matched.str(), HasSubstr("Highest cardinality metric names:\n1 up\n"));

  options.match = "up{";
  std::ostringstream bad;
  absl::Status s = RunAnalyze(&fs_, dir_, options, bad);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("--match \"up{\""));
  options.match = "";
  options.block_id = Ulid(9);
  s = RunAnalyze(&fs_, dir_, options, bad);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "block " + Ulid(9) + " not found in /data");
  EXPECT_EQ(bad.str(), "");
}

TEST_F(BlockToolsTest, AnalyzeDefaultsToTheNewestBlock) {
  TwoBlocks();
  std::ostringstream out;
  ASSERT_TRUE(RunAnalyze(&fs_, dir_, AnalyzeOptions(), out).ok());
  EXPECT_THAT(out.str(), HasSubstr("Block ID: " + Ulid(1) + "\n"));
}

// Blocks and the WAL (a DB that was closed without cutting its head) are
// merged; a timestamp in both is printed once.
TEST_F(BlockToolsTest, DumpMergesBlocksAndWal) {
  TwoBlocks();
  {
    DBOptions options;
    options.fs = &fs_;
    options.background_maintenance = false;
    options.retention_ms = 0;
    ManualClock clock(kT0 + 4 * kHour);
    options.clock = &clock;
    auto db = DB::Open(dir_, options);
    ASSERT_TRUE(db.ok()) << db.status();
    auto app = (*db)->NewAppender();
    const Labels a = Labels::FromStrings({"__name__", "up", "job", "a"});
    const Labels c = Labels::FromStrings({"__name__", "up", "job", "c"});
    ASSERT_TRUE(app->Add(a, kT0 + 4 * kHour + 1000, 5).ok());
    ASSERT_TRUE(app->Add(c, kT0 + 4 * kHour + 1000, -std::numeric_limits<double>::infinity()).ok());
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE((*db)->Close().ok());
  }
  EXPECT_EQ(Dump(DumpOptions()),
            "{__name__=\"up\", job=\"a\"} 1 1700006400000\n"
            "{__name__=\"up\", job=\"a\"} 2 1700006415000\n"
            "{__name__=\"up\", job=\"a\"} 3 1700013600000\n"
            "{__name__=\"up\", job=\"a\"} 4 1700013615000\n"
            "{__name__=\"up\", job=\"a\"} 5 1700020801000\n"
            "{__name__=\"up\", job=\"b\"} 0.5 1700006400000\n"
            "{__name__=\"up\", job=\"c\"} -Inf 1700020801000\n");
  DumpOptions options;
  options.openmetrics = true;
  options.min_time = kT0 + 15000;
  options.max_time = kT0 + 2 * kHour;
  options.match = {"{job=\"b\"}", "up{job=\"a\"}"};
  EXPECT_EQ(Dump(options),
            "up{job=\"a\"} 2 1700006415.000\n"
            "up{job=\"a\"} 3 1700013600.000\n"
            "# EOF\n");
  options.match = {"{job=~\"b|c\"}"};
  options.min_time = std::numeric_limits<int64_t>::min();
  options.max_time = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(Dump(options),
            "up{job=\"b\"} 0.5 1700006400.000\n"
            "up{job=\"c\"} -Inf 1700020801.000\n"
            "# EOF\n");
}

TEST_F(BlockToolsTest, DumpRejectsBadArgumentsAndBrokenBlocks) {
  TwoBlocks();
  std::vector<wal::WalProblem> problems;
  std::ostringstream out;
  DumpOptions options;
  options.match = {"up{job="};
  EXPECT_EQ(DumpData(&fs_, dir_, options, out, &problems).code(),
            absl::StatusCode::kInvalidArgument);
  options.match.clear();
  options.min_time = 10;
  options.max_time = 9;
  EXPECT_EQ(DumpData(&fs_, dir_, options, out, &problems).message(),
            "--min-time 10 is after --max-time 9");
  ASSERT_TRUE(fs_.RemoveFile(dir_ + "/" + Ulid(2) + "/index").ok());
  absl::Status s = DumpData(&fs_, dir_, DumpOptions(), out, &problems);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("block " + Ulid(2)));
  EXPECT_EQ(out.str(), "");
}

// Flips one byte of a chunk file: verify names the block, file and offset.
TEST_F(BlockToolsTest, VerifyReportsFlippedByteWithFileAndOffset) {
  TwoBlocks();
  auto clean = VerifyDataDir(&fs_, dir_);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_THAT(clean->damage, IsEmpty());
  std::ostringstream ok_out;
  EXPECT_EQ(RunVerify(&fs_, dir_, ok_out), 0);
  EXPECT_EQ(ok_out.str(),
            "blocks: 2 (3 series, 3 chunks, 5 samples)\nwal: none\nno damage found\n");

  const std::string chunk_file = dir_ + "/" + Ulid(2) + "/chunks/000001";
  auto bytes = fs_.ReadFile(chunk_file);
  ASSERT_TRUE(bytes.ok());
  const size_t flip = bytes->size() - 3;  // inside the last chunk
  (*bytes)[flip] ^= 0x10;
  auto f = fs_.NewWritableFile(chunk_file, true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append(*bytes).ok());
  ASSERT_TRUE((*f)->Close().ok());

  std::ostringstream out;
  EXPECT_EQ(RunVerify(&fs_, dir_, out), 1);
  const std::string prefix = "block " + Ulid(2) + ": chunks/000001 offset ";
  ASSERT_THAT(out.str(), ::testing::StartsWith(prefix)) << out.str();
  const uint64_t offset = std::stoull(out.str().substr(prefix.size()));
  EXPECT_LE(offset, flip);
  EXPECT_GT(offset, 0u);
  EXPECT_THAT(out.str(), HasSubstr("\n1 problem(s) found\n"));
}

TEST_F(BlockToolsTest, VerifyReportsUnopenableBlocksAndOverlaps) {
  TwoBlocks();
  const Labels a = Labels::FromStrings({"__name__", "up", "job", "a"});
  WriteTestBlock(&fs_, dir_, Ulid(3), kT0 + kHour, kT0 + 3 * kHour, {{a, kT0 + kHour, 9}});
  auto f = fs_.NewWritableFile(dir_ + "/" + Ulid(1) + "/meta.json", true);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("{not json").ok());
  ASSERT_TRUE((*f)->Close().ok());
  std::ostringstream out;
  EXPECT_EQ(RunVerify(&fs_, dir_, out), 1);
  EXPECT_THAT(out.str(), ::testing::StartsWith("block " + Ulid(1) + ": "));
  EXPECT_THAT(out.str(), HasSubstr("meta.json"));
  EXPECT_THAT(out.str(),
              HasSubstr("\noverlap: " + Ulid(2) + " [1700006400000, 1700013600000) and " + Ulid(3) +
                        " [1700010000000, 1700017200000)\n"));
  EXPECT_THAT(out.str(), HasSubstr("1 overlapping pair(s): the server merges them"));
}

TEST_F(BlockToolsTest, WritersRefuseWhileLockedReadersWork) {
  TwoBlocks();
  auto lock = fs_.LockFile(dir_ + "/lock");
  ASSERT_TRUE(lock.ok());
  std::ostringstream out;
  absl::Status s = CompactDataDir(&fs_, dir_, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "data directory /data is in use by a running server (/data/lock is held): stop it "
            "first; a running server compacts by itself");
  s = SnapshotDataDir(&fs_, dir_, "/snap", false, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("use the server's POST /api/v1/admin/tsdb/snapshot (enabled by "
                        "--web.enable-admin-api) instead"));
  EXPECT_FALSE(fs_.Exists("/snap"));
  EXPECT_EQ(out.str(), "");
  EXPECT_FALSE(fs_.Exists(dir_ + "/wal"));  // nothing was opened for writing

  EXPECT_EQ(RunList(&fs_, dir_, false, out), 0);
  EXPECT_EQ(RunVerify(&fs_, dir_, out), 0);
  EXPECT_TRUE(RunAnalyze(&fs_, dir_, AnalyzeOptions(), out).ok());
  EXPECT_THAT(Dump(DumpOptions()), HasSubstr("{__name__=\"up\", job=\"b\"} 0.5 1700006400000\n"));
}

TEST_F(BlockToolsTest, CompactCutHeadPutsTheNewestRangeInBlocksToo) {
  TwoBlocks();
  const int64_t newest = kT0 + 6 * kHour + kHour / 2;
  {
    DBOptions options;
    options.fs = &fs_;
    options.background_maintenance = false;
    options.retention_ms = 0;
    ManualClock clock(newest);
    options.clock = &clock;
    auto db = DB::Open(dir_, options);
    ASSERT_TRUE(db.ok()) << db.status();
    auto app = (*db)->NewAppender();
    for (int64_t t = kT0 + 4 * kHour; t <= newest; t += kHour / 2) {
      ASSERT_TRUE(app->Add(Labels::FromStrings({"__name__", "h"}), t, 7).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE((*db)->Close().ok());
  }
  const std::string before = Dump(DumpOptions());
  // The head spans 2.5h, less than 1.5 block ranges: a plain compaction
  // leaves it alone, --cut-head puts all of it in blocks.
  auto newest_block_max = [&] {
    DBOptions options;
    options.fs = &fs_;
    options.background_maintenance = false;
    options.retention_ms = 0;
    auto db = DB::Open(dir_, options);
    EXPECT_TRUE(db.ok()) << db.status();
    int64_t max = 0;
    for (const auto& b : (*db)->blocks()) max = std::max(max, b->meta().max_time);
    EXPECT_TRUE((*db)->Close().ok());
    return max;
  };
  std::ostringstream out;
  ASSERT_TRUE(CompactDataDir(&fs_, dir_, out).ok()) << out.str();
  EXPECT_LE(newest_block_max(), kT0 + 4 * kHour);
  ASSERT_TRUE(CompactDataDir(&fs_, dir_, out, /*cut_head=*/true).ok()) << out.str();
  EXPECT_THAT(out.str(), HasSubstr("added:"));
  EXPECT_GT(newest_block_max(), newest);
  EXPECT_EQ(Dump(DumpOptions()), before);
}

TEST_F(BlockToolsTest, SnapshotCopiesBlocksAndHead) {
  TwoBlocks();
  {
    DBOptions options;
    options.fs = &fs_;
    options.background_maintenance = false;
    options.retention_ms = 0;
    ManualClock clock(kT0 + 4 * kHour);
    options.clock = &clock;
    auto db = DB::Open(dir_, options);
    ASSERT_TRUE(db.ok()) << db.status();
    auto app = (*db)->NewAppender();
    ASSERT_TRUE(app->Add(Labels::FromStrings({"__name__", "h"}), kT0 + 4 * kHour, 7).ok());
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE((*db)->Close().ok());
  }
  const std::string before = Dump(DumpOptions());
  std::ostringstream out;
  ASSERT_TRUE(SnapshotDataDir(&fs_, dir_, "/snap", false, out).ok());
  EXPECT_THAT(out.str(), HasSubstr("snapshot of /data written to /snap: 3 block(s)\n"));
  std::ostringstream snap;
  std::vector<wal::WalProblem> problems;
  ASSERT_TRUE(DumpData(&fs_, "/snap", DumpOptions(), snap, &problems).ok());
  EXPECT_EQ(snap.str(), before);
  EXPECT_THAT(before, HasSubstr("{__name__=\"h\"} 7 1700020800000\n"));

  absl::Status s = SnapshotDataDir(&fs_, dir_, "/snap", false, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "snapshot directory /snap already exists");
  s = SnapshotDataDir(&fs_, "/missing", "/snap2", false, out);
  EXPECT_EQ(s.message(), "data directory /missing does not exist");
  EXPECT_FALSE(fs_.Exists("/missing"));
}

}  // namespace
}  // namespace strata::tools
