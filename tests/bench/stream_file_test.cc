// Tests of the stream file (bench/loadgen/stream_file.h) and of what writes
// it (strata-querybench stream): a stream must hold exactly the dataset's
// or the capture's samples, in an order receivers accept, and a damaged
// file must be refused before anything is sent.
#include "bench/loadgen/stream_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "api/proto/remote_write_v1.pb.h"
#include "bench/querybench/capture_stream.h"
#include "bench/querybench/dataset.h"
#include "bench/querybench/dataset_stream.h"
#include "gtest/gtest.h"
#include "snappy.h"
#include "tests/test_util.h"

namespace strata::querybench {
namespace {

using loadgen::RequestView;
using loadgen::StreamFileReader;

constexpr int64_t kEnd = 1'795'778'075'000;

struct DecodedSample {
  LabelPairs labels;
  int64_t t;
  double v;
};

std::vector<DecodedSample> Decode(const RequestView& request) {
  std::string raw;
  EXPECT_TRUE(snappy::Uncompress(request.body.data(), request.body.size(), &raw));
  rw::v1::WriteRequest message;
  EXPECT_TRUE(message.ParseFromString(raw));
  std::vector<DecodedSample> out;
  for (const rw::v1::TimeSeries& ts : message.timeseries()) {
    LabelPairs labels;
    for (const rw::v1::Label& l : ts.labels()) labels.emplace_back(l.name(), l.value());
    EXPECT_EQ(ts.samples_size(), 1);  // one sample per TimeSeries, as Prometheus sends
    for (const rw::v1::Sample& s : ts.samples()) out.push_back({labels, s.timestamp(), s.value()});
  }
  EXPECT_EQ(out.size(), request.samples);
  return out;
}

bool SameValue(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

StreamWriteResult WriteDataset(const Dataset& d, const std::string& path, int window_scrapes) {
  DatasetStreamOptions options;
  options.connections = 2;
  options.batch = 250;  // two targets' scrapes (100 series each) per request
  options.window_scrapes = window_scrapes;
  options.description = "test";
  options.write.path = path;
  options.write.threads = 3;
  options.write.progress = false;
  absl::StatusOr<StreamWriteResult> r = WriteDatasetStream(d, options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : StreamWriteResult{};
}

// Checks every sample of the stream against the dataset: connection c of
// window w carries scrapes [w * window, (w + 1) * window) of targets
// c, c + 2, ..., scrape by scrape, each target's series in order, with the
// labels of the target's generation at that scrape.
void CheckDatasetStream(const Dataset& d, const StreamFileReader& reader, int window) {
  const loadgen::StreamFileInfo& info = reader.info();
  const int scrapes = d.scrapes();
  const int spt = d.series_per_target();
  EXPECT_EQ(info.connections, 2);
  EXPECT_EQ(info.windows, uint64_t((scrapes + window - 1) / window));
  EXPECT_EQ(info.samples, uint64_t(d.num_series()) * scrapes);
  EXPECT_EQ(info.series, uint64_t(d.total_series()));
  EXPECT_EQ(info.targets, uint32_t(d.targets()));
  EXPECT_EQ(info.description, "test");
  int64_t previous_window_max = INT64_MIN;
  for (int w = 0; w < static_cast<int>(info.windows); ++w) {
    int64_t window_min = INT64_MAX, window_max = INT64_MIN;
    for (int c = 0; c < 2; ++c) {
      std::vector<DecodedSample> got;
      for (const RequestView& r : reader.requests().group(w, c)) {
        std::vector<DecodedSample> samples = Decode(r);
        EXPECT_LE(samples.size(), 2u * spt);
        EXPECT_EQ(samples.size() % spt, 0u);  // whole target scrapes
        got.insert(got.end(), samples.begin(), samples.end());
      }
      size_t n = 0;
      for (int k = w * window; k < std::min(scrapes, (w + 1) * window); ++k) {
        for (int t = c; t < d.targets(); t += 2) {
          for (int j = 0; j < spt; ++j, ++n) {
            ASSERT_LT(n, got.size()) << "window " << w << " connection " << c;
            const int64_t i = int64_t{t} * spt + j;
            EXPECT_EQ(got[n].labels, d.Labels(i, d.Generation(t, k)));
            EXPECT_EQ(got[n].t, d.Timestamp(t, k));
            EXPECT_TRUE(SameValue(got[n].v, d.Value(i, k))) << got[n].v << " " << d.Value(i, k);
            window_min = std::min(window_min, got[n].t);
            window_max = std::max(window_max, got[n].t);
          }
        }
      }
      EXPECT_EQ(n, got.size());
    }
    // Windows are in time order, and within 30 minutes.
    EXPECT_GT(window_min, previous_window_max);
    EXPECT_LE(window_max - window_min, 30 * 60 * 1000);
    previous_window_max = window_max;
  }
}

TEST(StreamFileTest, DatasetRoundTrip) {
  testing::TempDir dir;
  const Dataset d(DatasetOptions{3, kEnd, 3600 * 1000, 60'000, 1});  // 60 scrapes
  const std::string path = dir.path() + "/s.stream";
  StreamWriteResult w = WriteDataset(d, path, 16);
  EXPECT_EQ(w.windows, 4);
  EXPECT_EQ(w.totals.samples, uint64_t(d.num_series()) * d.scrapes());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  absl::StatusOr<std::unique_ptr<StreamFileReader>> reader = StreamFileReader::Open(path, true);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->info().file_bytes, w.file_bytes);
  EXPECT_EQ((*reader)->info().body_bytes, w.totals.body_bytes);
  int64_t first = INT64_MAX;
  for (int t = 0; t < d.targets(); ++t) first = std::min(first, d.Timestamp(t, 0));
  EXPECT_EQ((*reader)->info().min_timestamp_ms, first);
  CheckDatasetStream(d, **reader, 16);
}

TEST(StreamFileTest, ChurnChangesLabelsMidStream) {
  testing::TempDir dir;
  DatasetOptions o{3, kEnd, 3600 * 1000, 60'000, 1};
  o.churn_share = 1;
  o.churn_every_ms = 10 * 60 * 1000;
  const Dataset d(o);
  ASSERT_GT(d.total_series(), d.num_series());
  const std::string path = dir.path() + "/s.stream";
  WriteDataset(d, path, 30);
  absl::StatusOr<std::unique_ptr<StreamFileReader>> reader = StreamFileReader::Open(path, true);
  ASSERT_TRUE(reader.ok()) << reader.status();
  CheckDatasetStream(d, **reader, 30);
}

TEST(StreamFileTest, WindowsCappedAtThirtyMinutes) {
  testing::TempDir dir;
  const Dataset d(DatasetOptions{3, kEnd, 2 * 3600 * 1000, 60'000, 1});
  const std::string path = dir.path() + "/s.stream";
  EXPECT_EQ(WriteDataset(d, path, 1000).windows, 4);  // 30 scrapes each
  absl::StatusOr<std::unique_ptr<StreamFileReader>> reader = StreamFileReader::Open(path, false);
  ASSERT_TRUE(reader.ok()) << reader.status();
  CheckDatasetStream(d, **reader, 30);
}

// Damage to a small, valid stream file is refused with a message saying what.
class DamagedStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Dataset d(DatasetOptions{3, kEnd, 20 * 60 * 1000, 60'000, 1});
    path_ = dir_.path() + "/s.stream";
    WriteDataset(d, path_, 5);
    bytes_ = ReadAll(path_);
    ASSERT_GT(bytes_.size(), 1000u);
  }
  // Opens `bytes` as a file; the error message, or "" when it opened.
  std::string OpenError(const std::string& bytes, bool verify = true) {
    const std::string path = dir_.path() + "/damaged.stream";
    WriteAll(path, bytes);
    absl::StatusOr<std::unique_ptr<StreamFileReader>> r = StreamFileReader::Open(path, verify);
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
    EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status();
    return std::string(r.status().message());
  }

  testing::TempDir dir_;
  std::string path_;
  std::string bytes_;
};

TEST_F(DamagedStreamTest, Intact) { EXPECT_EQ(OpenError(bytes_), ""); }

TEST_F(DamagedStreamTest, Truncated) {
  EXPECT_NE(OpenError(bytes_.substr(0, bytes_.size() / 2)).find("truncated"), std::string::npos);
  EXPECT_NE(OpenError(bytes_.substr(0, bytes_.size() - 1)).find("truncated"), std::string::npos);
  EXPECT_NE(OpenError(bytes_.substr(0, 100)).find("too short"), std::string::npos);
}

TEST_F(DamagedStreamTest, TrailingBytes) {
  EXPECT_NE(OpenError(bytes_ + "x").find("after the last window"), std::string::npos);
}

TEST_F(DamagedStreamTest, BodyChecksum) {
  std::string damaged = bytes_;
  damaged[damaged.size() - 10] ^= 0x40;  // inside the last body
  EXPECT_NE(OpenError(damaged).find("body checksum mismatch"), std::string::npos);
  EXPECT_EQ(OpenError(damaged, /*verify=*/false), "");  // bounds are all fine
}

TEST_F(DamagedStreamTest, Header) {
  std::string damaged = bytes_;
  damaged[40] ^= 1;  // the sample count
  EXPECT_NE(OpenError(damaged).find("header checksum mismatch"), std::string::npos);
  damaged = bytes_;
  damaged[0] = 'X';
  EXPECT_NE(OpenError(damaged).find("not a stream file"), std::string::npos);
  damaged = bytes_;
  damaged[8] = 9;
  EXPECT_NE(OpenError(damaged).find("version 9"), std::string::npos);
}

TEST(StreamFileTest, MissingFile) {
  absl::StatusOr<std::unique_ptr<StreamFileReader>> r =
      StreamFileReader::Open("/nonexistent/x.stream", true);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

TEST(StreamFileTest, UnfinishedWriterLeavesNothing) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/s.stream";
  loadgen::StreamFileInfo info;
  info.connections = 2;
  {
    auto writer = loadgen::StreamFileWriter::Create(path, info);
    ASSERT_TRUE(writer.ok());
    std::vector<loadgen::EncodedRequest> requests(1);
    requests[0].body = "x";
    requests[0].samples = 1;
    EXPECT_TRUE((*writer)->AppendGroup(0, 0, requests).ok());
    // Out of order, and a window lacking a connection.
    EXPECT_FALSE((*writer)->AppendGroup(1, 0, requests).ok());
    EXPECT_FALSE((*writer)->Finish({}).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

// ---------------------------------------------------------------- captures

// Three series, two instances, 40 minutes at 10-minute scrapes (2 windows),
// series by series as capture.sh writes them.
constexpr const char* kCapture =
    "up{instance=\"a:1\",job=\"node\"} 1 1700000000.000\n"
    "up{instance=\"a:1\",job=\"node\"} 1 1700000600.000\n"
    "up{instance=\"a:1\",job=\"node\"} 0 1700001200.000\n"
    "up{instance=\"a:1\",job=\"node\"} 1 1700001800.000\n"
    "up{instance=\"a:1\",job=\"node\"} 1 1700002400.000\n"
    "load1{instance=\"a:1\",job=\"node\"} 0.5 1700000000.000\n"
    "load1{instance=\"a:1\",job=\"node\"} 0.25 1700000600.000\n"
    "load1{instance=\"a:1\",job=\"node\"} NaN 1700001200.000\n"
    "load1{instance=\"a:1\",job=\"node\"} 2 1700001800.000\n"
    "load1{instance=\"a:1\",job=\"node\"} 3 1700002400.000\n"
    "up{instance=\"b:2\",job=\"prometheus\"} 1 1700000001.500\n"
    "up{instance=\"b:2\",job=\"prometheus\"} 1 1700000601.500\n"
    "up{instance=\"b:2\",job=\"prometheus\"} 1 1700001201.500\n"
    "up{instance=\"b:2\",job=\"prometheus\"} 1 1700001801.500\n"
    "# EOF\n";

std::map<LabelPairs, std::vector<std::pair<int64_t, double>>> CaptureSeries() {
  auto labels = [](const char* name, const char* instance, const char* job) {
    return LabelPairs{{"__name__", name}, {"instance", instance}, {"job", job}};
  };
  std::map<LabelPairs, std::vector<std::pair<int64_t, double>>> series;
  const int64_t t0 = 1'700'000'000'000;
  const double nan = std::nan("");
  for (auto [k, v] : std::vector<std::pair<int, double>>{{0, 1}, {1, 1}, {2, 0}, {3, 1}, {4, 1}}) {
    series[labels("up", "a:1", "node")].push_back({t0 + k * 600'000, v});
  }
  for (auto [k, v] :
       std::vector<std::pair<int, double>>{{0, 0.5}, {1, 0.25}, {2, nan}, {3, 2}, {4, 3}}) {
    series[labels("load1", "a:1", "node")].push_back({t0 + k * 600'000, v});
  }
  for (int k = 0; k < 4; ++k) {
    series[labels("up", "b:2", "prometheus")].push_back({t0 + 1500 + k * 600'000, 1});
  }
  return series;
}

absl::StatusOr<StreamWriteResult> ConvertCapture(const std::string& dir, const std::string& text,
                                                 ShardBy shard_by, int connections) {
  WriteAll(dir + "/capture.om", text);
  CaptureStreamOptions options;
  options.connections = connections;
  options.batch = 2;
  options.shard_by = shard_by;
  options.write.path = dir + "/capture.stream";
  options.write.progress = false;
  return WriteCaptureStream(dir + "/capture.om", options);
}

void CheckCaptureStream(const std::string& path, int connections) {
  absl::StatusOr<std::unique_ptr<StreamFileReader>> reader = StreamFileReader::Open(path, true);
  ASSERT_TRUE(reader.ok()) << reader.status();
  const loadgen::StreamFileInfo& info = (*reader)->info();
  EXPECT_EQ(info.connections, connections);
  EXPECT_EQ(info.windows, 2u);  // 40 minutes from the first sample
  EXPECT_EQ(info.samples, 14u);
  EXPECT_EQ(info.series, 3u);
  EXPECT_EQ(info.targets, 2u);  // instances
  EXPECT_EQ(info.min_timestamp_ms, 1'700'000'000'000);
  EXPECT_EQ(info.max_timestamp_ms, 1'700'002'400'000);

  std::map<LabelPairs, std::vector<std::pair<int64_t, double>>> got;
  std::map<LabelPairs, int> connection_of;
  for (int w = 0; w < 2; ++w) {
    for (int c = 0; c < connections; ++c) {
      int64_t previous = INT64_MIN;
      for (const RequestView& r : (*reader)->requests().group(w, c)) {
        EXPECT_LE(r.samples, 2u);  // --batch
        for (const DecodedSample& s : Decode(r)) {
          // Each series on one connection, each connection in time order,
          // each window within its 30 minutes.
          EXPECT_EQ(connection_of.try_emplace(s.labels, c).first->second, c);
          EXPECT_GE(s.t, previous);
          previous = s.t;
          EXPECT_GE(s.t, 1'700'000'000'000 + w * 1'800'000);
          EXPECT_LT(s.t, 1'700'000'000'000 + (w + 1) * 1'800'000);
          got[s.labels].push_back({s.t, s.v});
        }
      }
    }
  }
  const auto want = CaptureSeries();
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [labels, samples] : want) {
    ASSERT_EQ(got[labels].size(), samples.size());
    for (size_t i = 0; i < samples.size(); ++i) {
      EXPECT_EQ(got[labels][i].first, samples[i].first);
      EXPECT_TRUE(SameValue(got[labels][i].second, samples[i].second));
    }
  }
}

TEST(CaptureStreamTest, ByInstance) {
  testing::TempDir dir;
  absl::StatusOr<StreamWriteResult> r = ConvertCapture(dir.path(), kCapture, ShardBy::kInstance, 3);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->totals.samples, 14u);
  CheckCaptureStream(dir.path() + "/capture.stream", 3);
}

TEST(CaptureStreamTest, BySeries) {
  testing::TempDir dir;
  ASSERT_TRUE(ConvertCapture(dir.path(), kCapture, ShardBy::kSeries, 2).ok());
  CheckCaptureStream(dir.path() + "/capture.stream", 2);
  // Series 0 and 2 (both `up`) on connection 0, series 1 on connection 1.
  absl::StatusOr<std::unique_ptr<StreamFileReader>> reader =
      StreamFileReader::Open(dir.path() + "/capture.stream", true);
  ASSERT_TRUE(reader.ok());
  for (const RequestView& r : (*reader)->requests().group(0, 1)) {
    for (const DecodedSample& s : Decode(r)) EXPECT_EQ(s.labels[0].second, "load1");
  }
}

TEST(CaptureStreamTest, ParseErrorNamesTheLine) {
  testing::TempDir dir;
  absl::StatusOr<StreamWriteResult> r = ConvertCapture(
      dir.path(), "up 1 1700000000\nup{ 2 1700000001\n# EOF\n", ShardBy::kInstance, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 2"), std::string::npos) << r.status();
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/capture.stream"));
}

}  // namespace
}  // namespace strata::querybench
