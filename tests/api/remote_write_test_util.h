// Helpers for remote-write tests: requests built with the generated protobuf
// classes, snappy-compressed, and a DB + handler over an in-memory filesystem
// with a manual clock.
#ifndef STRATA_TESTS_API_REMOTE_WRITE_TEST_UTIL_H_
#define STRATA_TESTS_API_REMOTE_WRITE_TEST_UTIL_H_

#include <snappy.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/proto/remote_write_v1.pb.h"
#include "api/proto/remote_write_v2.pb.h"
#include "api/remote_write.h"
#include "gtest/gtest.h"
#include "tests/tsdb/head/head_test_util.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/fault_fs.h"
#include "tsdb/base/mem_fs.h"
#include "tsdb/db.h"

namespace strata::testing {

inline constexpr std::string_view kV1Type = "application/x-protobuf";
inline constexpr std::string_view kV2Type =
    "application/x-protobuf;proto=io.prometheus.write.v2.Request";
// Now, for the manual clock: 2024-01-01T00:00:00Z.
inline constexpr int64_t kNow = 1704067200000;

inline std::string Snappy(const std::string& raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

inline double FromBits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}
inline const double kStaleMarker = FromBits(0x7ff0000000000002ull);

using Pairs = std::vector<std::pair<std::string, std::string>>;
using Points = std::vector<std::pair<int64_t, double>>;

// Appends a 1.0 series with labels in the given order (not sorted).
inline strata::rw::v1::TimeSeries* AddSeries(strata::rw::v1::WriteRequest* req, const Pairs& labels,
                                             const Points& points) {
  auto* ts = req->add_timeseries();
  for (const auto& [n, v] : labels) {
    auto* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  for (const auto& [t, v] : points) {
    auto* s = ts->add_samples();
    s->set_timestamp(t);
    s->set_value(v);
  }
  return ts;
}

// Builds 2.0 requests, interning symbols as the spec asks ("" first).
class V2Builder {
 public:
  V2Builder() { Ref(""); }
  uint32_t Ref(const std::string& s) {
    auto [it, inserted] = refs_.emplace(s, req_.symbols_size());
    if (inserted) req_.add_symbols(s);
    return it->second;
  }
  strata::rw::v2::TimeSeries* AddSeries(const Pairs& labels, const Points& points) {
    auto* ts = req_.add_timeseries();
    for (const auto& [n, v] : labels) {
      ts->add_labels_refs(Ref(n));
      ts->add_labels_refs(Ref(v));
    }
    for (const auto& [t, v] : points) {
      auto* s = ts->add_samples();
      s->set_timestamp(t);
      s->set_value(v);
    }
    return ts;
  }
  void SetMetadata(strata::rw::v2::TimeSeries* ts, strata::rw::v2::Metadata::MetricType type,
                   const std::string& help, const std::string& unit) {
    auto* m = ts->mutable_metadata();
    m->set_type(type);
    m->set_help_ref(Ref(help));
    m->set_unit_ref(Ref(unit));
  }
  strata::rw::v2::Request& request() { return req_; }
  std::string Serialize() const { return req_.SerializeAsString(); }

 private:
  strata::rw::v2::Request req_;
  std::map<std::string, uint32_t> refs_;
};

// A DB over an in-memory (optionally fault-injecting) filesystem, with the
// clock at kNow, and a handler on it.
class RemoteWriteEnv {
 public:
  explicit RemoteWriteEnv(api::RemoteWriteOptions options = {}, bool wal = true)
      : fault_fs_(&mem_fs_), clock_(kNow) {
    DBOptions o;
    o.fs = &fault_fs_;
    o.clock = &clock_;
    o.wal_enabled = wal;
    auto db = DB::Open("/db", o);
    EXPECT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    handler_ = std::make_unique<api::RemoteWriteHandler>(db_.get(), options);
  }

  api::RemoteWriteResponse V1(const strata::rw::v1::WriteRequest& req) {
    return handler_->Handle(kV1Type, "snappy", Snappy(req.SerializeAsString()));
  }
  api::RemoteWriteResponse V2(const V2Builder& b) {
    return handler_->Handle(kV2Type, "snappy", Snappy(b.Serialize()));
  }
  api::RemoteWriteResponse Raw(std::string_view type, std::string_view encoding,
                               const std::string& body) {
    return handler_->Handle(type, encoding, body);
  }

  // Everything stored, by series (Labels::ToString), bit-exact samples.
  std::map<std::string, std::vector<Sample>> All() {
    auto q =
        db_->NewQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
    return ReadAll(*q, {M(MatchType::kRegexMatch, "__name__", ".+")});
  }

  DB* db() { return db_.get(); }
  api::RemoteWriteHandler& handler() { return *handler_; }
  FaultInjectingFileSystem& fs() { return fault_fs_; }
  ManualClock& clock() { return clock_; }

 private:
  MemFileSystem mem_fs_;
  FaultInjectingFileSystem fault_fs_;
  ManualClock clock_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<api::RemoteWriteHandler> handler_;
};

}  // namespace strata::testing

#endif  // STRATA_TESTS_API_REMOTE_WRITE_TEST_UTIL_H_
