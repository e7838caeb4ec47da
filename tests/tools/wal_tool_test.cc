// `tsdb-tool wal dump` / `wal verify`: exact output on a WAL built in memory,
// every kind of damage reported with file and offset, nothing modified, and
// the real binary on the checked-in golden WAL (tests/testdata/wal-v1).
#include "tools/wal_tool.h"

#include <bit>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/process_util.h"
#include "tests/test_util.h"
#include "tsdb/base/mem_fs.h"
#include "wal/records.h"
#include "wal/wal.h"

namespace strata::tools {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT0 = 1700000000000;

absl::Status Overwrite(FileSystem* fs, const std::string& path, std::string_view contents) {
  auto f = fs->NewWritableFile(path, true);
  if (!f.ok()) return f.status();
  if (absl::Status s = (*f)->Append(contents); !s.ok()) return s;
  return (*f)->Close();
}

// A WAL in memory: segment 1 holds series + samples, segment 2 metadata +
// tombstones + samples. Records are logged one per call, so the first record
// of each segment starts at offset 8.
class WalToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    wal::ReplayStats stats;
    auto w = wal::Wal::Open(
        &fs_, dir_, wal::WalOptions(), [](std::string_view) { return absl::OkStatus(); }, &stats);
    ASSERT_TRUE(w.ok()) << w.status();
    std::string r;
    std::vector<wal::RefSeries> series = {
        {1, Labels::FromStrings({"__name__", "up", "job", "a"})},
        {2, Labels::FromStrings({"__name__", "my.metric", "x", "q\"\n"})}};
    wal::EncodeSeries(series, &r);
    ASSERT_TRUE((*w)->Log(r).ok());
    r.clear();
    std::vector<wal::RefSample> samples = {
        {1, kT0, 1},
        {2, kT0, std::bit_cast<double>(uint64_t{0x7ff0000000000002})},
        {1, kT0 + 15000, 0.1}};
    wal::EncodeSamples(samples, &r);
    ASSERT_TRUE((*w)->Log(r).ok());
    ASSERT_TRUE((*w)->NextSegment().ok());
    r.clear();
    std::vector<wal::RefMetadata> meta = {{1, 2, "", "Up."}};
    wal::EncodeMetadata(meta, &r);
    ASSERT_TRUE((*w)->Log(r).ok());
    r.clear();
    std::vector<wal::RefTombstone> tomb = {{2, kT0, kT0 + 1}};
    wal::EncodeTombstones(tomb, &r);
    ASSERT_TRUE((*w)->Log(r).ok());
    r.clear();
    std::vector<wal::RefSample> more = {{9, kT0 - 5000, -2.5e-7}};
    wal::EncodeSamples(more, &r);
    ASSERT_TRUE((*w)->Log(r).ok());
    ASSERT_TRUE((*w)->Close().ok());
  }

  std::string Dump(const WalDumpOptions& options, std::vector<wal::WalProblem>* problems) {
    std::ostringstream out;
    absl::Status s = DumpWal(&fs_, dir_, options, out, problems);
    EXPECT_TRUE(s.ok()) << s;
    return out.str();
  }

  WalSummary Verify() {
    absl::StatusOr<WalSummary> s = VerifyWal(&fs_, dir_);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : WalSummary();
  }

  std::string Read(const std::string& name) { return *fs_.ReadFile(dir_ + "/" + name); }

  MemFileSystem fs_;
  const std::string dir_ = "/data/wal";
};

TEST_F(WalToolTest, DumpPrintsEveryEntry) {
  std::vector<wal::WalProblem> problems;
  const std::string out = Dump(WalDumpOptions(), &problems);
  EXPECT_TRUE(problems.empty());
  // The first record of a segment starts after the 8-byte header; later
  // offsets depend on record sizes, so the tests take them from the output.
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 8u) << out;
  EXPECT_EQ(lines[0], "00000001 8 series ref=1 {__name__=\"up\", job=\"a\"}");
  EXPECT_EQ(lines[1], "00000001 8 series ref=2 {__name__=\"my.metric\", x=\"q\\\"\\n\"}");
  EXPECT_THAT(lines[2],
              ::testing::MatchesRegex("00000001 [0-9]+ sample ref=1 t=1700000000000 v=1"));
  const std::string off = lines[2].substr(9, lines[2].find(' ', 9) - 9);
  EXPECT_EQ(lines[3], "00000001 " + off + " sample ref=2 t=1700000000000 v=StaleNaN");
  EXPECT_EQ(lines[4], "00000001 " + off + " sample ref=1 t=1700000015000 v=0.1");
  EXPECT_EQ(lines[5], "00000002 8 metadata ref=1 type=gauge unit=\"\" help=\"Up.\"");
  EXPECT_THAT(lines[6],
              ::testing::MatchesRegex(
                  "00000002 [0-9]+ tombstone ref=2 mint=1700000000000 maxt=1700000000001"));
  EXPECT_THAT(lines[7],
              ::testing::MatchesRegex("00000002 [0-9]+ sample ref=9 t=1699999995000 v=-2.5e-07"));
}

TEST_F(WalToolTest, DumpFiltersAndLimits) {
  std::vector<wal::WalProblem> problems;
  WalDumpOptions o;
  o.types = {"samples", "tombstones"};
  o.limit = 4;
  const std::string out = Dump(o, &problems);
  EXPECT_THAT(out, ::testing::MatchesRegex(
                       "00000001 [0-9]+ sample ref=1 t=1700000000000 v=1\n"
                       "00000001 [0-9]+ sample ref=2 t=1700000000000 v=StaleNaN\n"
                       "00000001 [0-9]+ sample ref=1 t=1700000015000 v=0.1\n"
                       "00000002 [0-9]+ tombstone ref=2 mint=1700000000000 maxt=1700000000001\n"));
  o.types = {"metadata"};
  o.limit = 0;
  EXPECT_EQ(Dump(o, &problems), "00000002 8 metadata ref=1 type=gauge unit=\"\" help=\"Up.\"\n");
}

TEST_F(WalToolTest, VerifySummarizesASoundWal) {
  WalSummary s = Verify();
  EXPECT_TRUE(s.problems.empty());
  EXPECT_FALSE(s.layout.checkpoint.has_value());
  EXPECT_EQ(s.layout.segments, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(s.records[1], 1u);  // series
  EXPECT_EQ(s.records[2], 2u);  // samples
  EXPECT_EQ(s.records[3], 1u);  // tombstones
  EXPECT_EQ(s.records[4], 1u);  // metadata
  EXPECT_EQ(s.distinct_series, 2u);
  EXPECT_EQ(s.samples, 4u);
  EXPECT_EQ(s.samples_unknown_series, 1u);  // ref 9
  EXPECT_EQ(s.min_t, kT0 - 5000);
  EXPECT_EQ(s.max_t, kT0 + 15000);
  std::ostringstream out;
  PrintWalSummary(s, dir_, out);
  EXPECT_THAT(out.str(), HasSubstr("segments      2 (00000001 .. 00000002)\n"));
  EXPECT_THAT(out.str(),
              HasSubstr("records       5 (series 1, samples 2, tombstones 1, metadata 1)\n"));
  EXPECT_THAT(out.str(), HasSubstr("samples       4 (1 of series without a series record)\n"));
  EXPECT_THAT(out.str(), HasSubstr("time range    1699999995000 .. 1700000015000 "
                                   "(2023-11-14T22:13:15.000Z .. 2023-11-14T22:13:35.000Z)\n"));
}

// Runs verify on a damaged WAL and checks that it changed nothing.
std::vector<wal::WalProblem> VerifyDamaged(MemFileSystem* fs, const std::string& dir) {
  std::vector<std::string> names = *fs->ListDir(dir);
  std::vector<std::string> before;
  for (const std::string& n : names) before.push_back(*fs->ReadFile(dir + "/" + n));
  absl::StatusOr<WalSummary> s = VerifyWal(fs, dir);
  EXPECT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*fs->ListDir(dir), names);  // no file created or removed
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(*fs->ReadFile(dir + "/" + names[i]), before[i]) << names[i] << " was modified";
  }
  return s.ok() ? s->problems : std::vector<wal::WalProblem>();
}

TEST_F(WalToolTest, CrcMismatchNamesFileAndOffsetAndTheRestIsStillRead) {
  std::string seg = Read("00000001");
  seg[8 + 7 + 2] ^= 0x01;  // a payload byte of the first record
  ASSERT_TRUE(Overwrite(&fs_, dir_ + "/00000001", seg).ok());
  std::vector<wal::WalProblem> p = VerifyDamaged(&fs_, dir_);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(FormatWalProblem(p[0]), "00000001 offset 8: crc mismatch");
  // Segment 2 is still read after the damage in segment 1.
  WalSummary s = Verify();
  EXPECT_EQ(s.records[4], 1u);
  EXPECT_EQ(s.records[3], 1u);
}

TEST_F(WalToolTest, TornTailOfTheNewestSegment) {
  std::string seg = Read("00000002");
  seg.resize(seg.size() - 3);
  ASSERT_TRUE(Overwrite(&fs_, dir_ + "/00000002", seg).ok());
  std::vector<wal::WalProblem> p = VerifyDamaged(&fs_, dir_);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].file, "00000002");
  EXPECT_THAT(p[0].what, ::testing::StartsWith("truncated fragment; torn tail of the newest "
                                               "segment"));
}

TEST_F(WalToolTest, BadFragmentSequence) {
  std::string seg = Read("00000002");
  seg[8] = 4;  // the first record's type byte: full -> last (not under the CRC)
  ASSERT_TRUE(Overwrite(&fs_, dir_ + "/00000002", seg).ok());
  std::vector<wal::WalProblem> p = VerifyDamaged(&fs_, dir_);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(FormatWalProblem(p[0]), "00000002 offset 8: last fragment without first");
}

TEST_F(WalToolTest, UndecodableAndUnknownRecords) {
  wal::ReplayStats stats;
  auto w = wal::Wal::Open(
      &fs_, dir_, wal::WalOptions(), [](std::string_view) { return absl::OkStatus(); }, &stats);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Log(std::string_view("\x02\x05", 2)).ok());  // 5 samples announced, none
  ASSERT_TRUE((*w)->Log(std::string_view("\x09xyz", 4)).ok());
  ASSERT_TRUE((*w)->Close().ok());
  std::vector<wal::WalProblem> p = VerifyDamaged(&fs_, dir_);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].file, "00000003");
  EXPECT_EQ(p[0].offset, 8u);
  EXPECT_THAT(p[0].what, ::testing::StartsWith("undecodable samples record: "));
  EXPECT_EQ(FormatWalProblem(p[1]),
            "00000003 offset 17: unknown record type 9 (record of 4 bytes)");
}

TEST_F(WalToolTest, MissingSegment) {
  wal::ReplayStats stats;
  auto w = wal::Wal::Open(
      &fs_, dir_, wal::WalOptions(), [](std::string_view) { return absl::OkStatus(); }, &stats);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Close().ok());
  ASSERT_TRUE(fs_.RemoveFile(dir_ + "/00000002").ok());
  std::vector<wal::WalProblem> p = VerifyDamaged(&fs_, dir_);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(FormatWalProblem(p[0]),
            "00000003 offset 0: segment numbers are not consecutive: expected 00000002, found "
            "00000003 (open drops this and every later segment)");
}

TEST_F(WalToolTest, LeftoversAreListedNotRead) {
  // What a crash can leave and Open would delete: an unfinished checkpoint.
  ASSERT_TRUE(fs_.CreateDir(dir_ + "/checkpoint.00000001.tmp").ok());
  ASSERT_TRUE(Overwrite(&fs_, dir_ + "/checkpoint.00000001.tmp/00000000", "garbage").ok());
  WalSummary s = Verify();
  EXPECT_TRUE(s.problems.empty());
  EXPECT_EQ(s.layout.ignored, (std::vector<std::string>{"checkpoint.00000001.tmp"}));
  std::ostringstream out;
  PrintWalSummary(s, dir_, out);
  EXPECT_THAT(
      out.str(),
      HasSubstr("ignored       checkpoint.00000001.tmp (a leftover the next open deletes)"));
}

TEST_F(WalToolTest, MissingDirectoryIsAnError) {
  absl::StatusOr<WalSummary> s = VerifyWal(&fs_, "/nowhere/wal");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("/nowhere/wal"));
}

// The real binary on a copy of the golden WAL.
class WalToolBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(std::string(STRATA_SOURCE_DIR) + "/tests/testdata/wal-v1",
                          tmp_.path() + "/data", std::filesystem::copy_options::recursive);
  }
  int Run(const std::string& args, std::string* out) {
    return strata::testing::RunCommand(
        std::string(STRATA_BINARY_DIR) + "/tsdb-tool " + args + " 2>&1", out);
  }
  std::string data() const { return tmp_.path() + "/data"; }
  strata::testing::TempDir tmp_;
};

TEST_F(WalToolBinaryTest, VerifyGoldenIsSound) {
  std::string out;
  ASSERT_EQ(Run("wal verify " + data(), &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("checkpoint    checkpoint.00000002 (1 segment)\n"));
  EXPECT_THAT(out, HasSubstr("segments      2 (00000003 .. 00000004)\n"));
  EXPECT_THAT(out, HasSubstr("records       8 (series 2, samples 3, tombstones 1, metadata 2)\n"));
  EXPECT_THAT(out, HasSubstr("samples       13\n"));
  EXPECT_THAT(out, HasSubstr("result        OK\n"));
}

TEST_F(WalToolBinaryTest, VerifyDamagedCopyFails) {
  const std::string path = data() + "/wal/00000004";
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(bytes.size(), 20u);
  bytes[8 + 7 + 3] ^= 0x40;
  {
    std::ofstream o(path, std::ios::binary | std::ios::trunc);
    o << bytes;
  }
  std::string out;
  EXPECT_EQ(Run("wal verify " + data(), &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("00000004 offset 8: crc mismatch\n"));
  EXPECT_THAT(out, HasSubstr("result        DAMAGED: 1 problem\n"));
  EXPECT_THAT(out, HasSubstr("tsdb-tool: wal verify: " + data() + "/wal is damaged (1 problem)"));
  // dump prints what is readable and fails too.
  EXPECT_EQ(Run("wal dump --type samples " + data(), &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("00000003 40047 sample ref=4 t=-1500 v=42\n"));
  EXPECT_THAT(out,
              HasSubstr("tsdb-tool: wal dump: " + data() + "/wal/00000004 offset 8: crc mismatch"));
}

// Read-only use on a directory a live process owns: the lock is held and a
// WAL is open and being written; verify neither needs the lock nor disturbs
// the writer.
TEST_F(WalToolBinaryTest, VerifyWhileAWriterHoldsTheDirectory) {
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  const std::string dir = tmp_.path() + "/live";
  ASSERT_TRUE(fs->CreateDirs(dir + "/wal").ok());
  auto lock = fs->LockFile(dir + "/lock");
  ASSERT_TRUE(lock.ok()) << lock.status();
  wal::ReplayStats stats;
  auto w = wal::Wal::Open(
      fs.get(), dir + "/wal", wal::WalOptions(), [](std::string_view) { return absl::OkStatus(); },
      &stats);
  ASSERT_TRUE(w.ok()) << w.status();
  std::string r;
  std::vector<wal::RefSeries> series = {{1, Labels::FromStrings({"__name__", "up"})}};
  wal::EncodeSeries(series, &r);
  ASSERT_TRUE((*w)->Log(r).ok());
  const size_t second_offset = 8 + 7 + r.size();  // after one full fragment
  std::string out;
  ASSERT_EQ(Run("wal verify " + dir, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("records       1 (series 1,"));
  r.clear();
  std::vector<wal::RefSample> samples = {{1, kT0, 1}};
  wal::EncodeSamples(samples, &r);
  ASSERT_TRUE((*w)->Log(r).ok());  // the writer is undisturbed
  ASSERT_EQ(Run("wal dump " + dir, &out), 0) << out;
  EXPECT_EQ(out,
            "00000001 8 series ref=1 {__name__=\"up\"}\n"
            "00000001 " +
                std::to_string(second_offset) + " sample ref=1 t=1700000000000 v=1\n");
  EXPECT_TRUE((*w)->Close().ok());
}

TEST_F(WalToolBinaryTest, DumpGolden) {
  std::string out;
  ASSERT_EQ(Run("wal dump --type samples --limit 3 " + data(), &out), 0) << out;
  EXPECT_EQ(out,
            "checkpoint.00000002/00000000 91 sample ref=1 t=1700000015000 v=0\n"
            "checkpoint.00000002/00000000 91 sample ref=2 t=1700000030000 v=NaN\n"
            "checkpoint.00000002/00000000 91 sample ref=2 t=1700000045000 v=StaleNaN\n");
  ASSERT_EQ(Run("wal dump --type=metadata,tombstones " + data(), &out), 0) << out;
  EXPECT_EQ(out,
            "checkpoint.00000002/00000000 211 tombstone ref=1 mint=1700000000000 "
            "maxt=1700000020000\n"
            "checkpoint.00000002/00000000 233 metadata ref=1 type=gauge unit=\"\" help=\"1 if the "
            "target is up.\"\n"
            "00000003 40082 metadata ref=2 type=stateset unit=\"\" help=\"\"\n");
}

TEST_F(WalToolBinaryTest, UsageErrorsAndHelp) {
  std::string out;
  EXPECT_EQ(Run("wal", &out), 2) << out;
  EXPECT_EQ(Run("wal dump --type bogus " + data(), &out), 2) << out;
  EXPECT_THAT(out, HasSubstr("--type: bogus not in {series,samples,tombstones,metadata}"));
  EXPECT_EQ(Run("wal dump --limit -1 " + data(), &out), 2) << out;
  EXPECT_THAT(out, HasSubstr("--limit: must be a non-negative integer, got \"-1\""));
  EXPECT_EQ(Run("wal verify a b", &out), 2) << out;
  EXPECT_EQ(Run("wal verify --help", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Usage:"));
  EXPECT_EQ(Run("wal dump --help", &out), 0) << out;
  EXPECT_EQ(Run("--help", &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("wal"));
  EXPECT_EQ(Run("wal verify " + tmp_.path() + "/none", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("tsdb-tool: wal verify: " + tmp_.path() + "/none/wal: "));
}

}  // namespace
}  // namespace strata::tools
