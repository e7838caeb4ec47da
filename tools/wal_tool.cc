// tools/wal_tool.h: `wal dump` and `wal verify` over wal::WalkWal.
#include "tools/wal_tool.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "tools/commands.h"
#include "tools/openmetrics.h"
#include "tsdb/base/status_macros.h"
#include "wal/records.h"

namespace strata::tools {
namespace {

using wal::RecordPosition;
using wal::RecordType;

// Debian's Abseil: absl::string_view is not std::string_view.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
constexpr uint64_t kQuietNaNBits = 0x7ff8000000000000ULL;

void AppendWalValue(double v, std::string* out) {
  if (!std::isnan(v)) {
    AppendGoFloat(v, out);
    return;
  }
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  if (bits == kNormalNaNBits || bits == kQuietNaNBits) {
    out->append("NaN");
  } else if (bits == kStaleNaNBits) {
    out->append("StaleNaN");
  } else {
    char buf[17];
    auto r = std::to_chars(buf, buf + sizeof(buf), bits, 16);
    absl::StrAppend(out, "NaN(0x", absl::string_view(buf, r.ptr - buf), ")");
  }
}

// Decodes one record into reused vectors, with the error naming the type.
struct Decoded {
  RecordType type = RecordType::kInvalid;
  std::vector<wal::RefSeries> series;
  std::vector<wal::RefSample> samples;
  std::vector<wal::RefTombstone> tombstones;
  std::vector<wal::RefMetadata> metadata;

  absl::Status Decode(std::string_view record) {
    series.clear();
    samples.clear();
    tombstones.clear();
    metadata.clear();
    type = wal::PeekType(record);
    absl::Status s;
    switch (type) {
      case RecordType::kSeries:
        s = wal::DecodeSeries(record, &series);
        break;
      case RecordType::kSamples:
        s = wal::DecodeSamples(record, &samples);
        break;
      case RecordType::kTombstones:
        s = wal::DecodeTombstones(record, &tombstones);
        break;
      case RecordType::kMetadata:
        s = wal::DecodeMetadata(record, &metadata);
        break;
      default:
        return absl::DataLossError(absl::StrCat(
            "unknown record type ", record.empty() ? 0 : static_cast<uint8_t>(record[0]),
            " (record of ", record.size(), " bytes)"));
    }
    if (s.ok()) return s;
    return absl::DataLossError(
        absl::StrCat("undecodable ", RecordTypeName(type), " record: ", s.message()));
  }
};

// Writes the dump, buffered: one ostream write per 64 KiB.
class DumpWriter {
 public:
  DumpWriter(const WalDumpOptions& options, std::ostream& out) : options_(options), out_(out) {
    for (const std::string& t : options.types) {
      if (t == "series") want_[static_cast<int>(RecordType::kSeries)] = true;
      if (t == "samples") want_[static_cast<int>(RecordType::kSamples)] = true;
      if (t == "tombstones") want_[static_cast<int>(RecordType::kTombstones)] = true;
      if (t == "metadata") want_[static_cast<int>(RecordType::kMetadata)] = true;
    }
    if (options.types.empty()) want_.fill(true);
  }
  ~DumpWriter() { Flush(); }

  // Cancelled once the limit is reached, to stop the walk.
  absl::Status Record(const RecordPosition& pos, std::string_view record) {
    RETURN_IF_ERROR(d_.Decode(record));
    if (!want_[static_cast<int>(d_.type)]) return absl::OkStatus();
    prefix_ = absl::StrCat(pos.file, " ", pos.offset, " ");
    for (const wal::RefSeries& s : d_.series) {
      RETURN_IF_ERROR(Start("series ref=", s.ref));
      buf_.push_back(' ');
      AppendPromLabels(s.labels, &buf_);
      End();
    }
    for (const wal::RefSample& s : d_.samples) {
      RETURN_IF_ERROR(Start("sample ref=", s.ref));
      absl::StrAppend(&buf_, " t=", s.t, " v=");
      AppendWalValue(s.v, &buf_);
      End();
    }
    for (const wal::RefTombstone& t : d_.tombstones) {
      RETURN_IF_ERROR(Start("tombstone ref=", t.ref));
      absl::StrAppend(&buf_, " mint=", t.mint, " maxt=", t.maxt);
      End();
    }
    for (const wal::RefMetadata& m : d_.metadata) {
      RETURN_IF_ERROR(Start("metadata ref=", m.ref));
      absl::StrAppend(&buf_, " type=", Sv(MetricTypeName(static_cast<MetricType>(m.type))));
      if (m.type > static_cast<uint8_t>(MetricType::kStateset)) {
        absl::StrAppend(&buf_, "(", m.type, ")");
      }
      buf_.append(" unit=");
      AppendGoQuoted(&buf_, m.unit);
      buf_.append(" help=");
      AppendGoQuoted(&buf_, m.help);
      End();
    }
    return absl::OkStatus();
  }

  void Flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    out_.flush();
    buf_.clear();
  }

 private:
  absl::Status Start(std::string_view what, uint64_t ref) {
    if (options_.limit != 0 && printed_ >= options_.limit) {
      return absl::CancelledError("limit reached");
    }
    ++printed_;
    absl::StrAppend(&buf_, prefix_, Sv(what), ref);
    return absl::OkStatus();
  }
  void End() {
    buf_.push_back('\n');
    if (buf_.size() >= (64 << 10)) Flush();
  }

  const WalDumpOptions& options_;
  std::ostream& out_;
  std::array<bool, 5> want_{};
  Decoded d_;
  std::string prefix_;
  std::string buf_;
  uint64_t printed_ = 0;
};

std::string FormatTime(int64_t ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

void PrintProblems(const std::vector<wal::WalProblem>& problems, std::ostream& out) {
  for (const wal::WalProblem& p : problems) out << FormatWalProblem(p) << "\n";
}

}  // namespace

std::string FormatWalProblem(const wal::WalProblem& p) {
  return absl::StrCat(p.file.empty() ? "." : p.file, " offset ", p.offset, ": ", p.what);
}

absl::Status DumpWal(FileSystem* fs, const std::string& wal_dir, const WalDumpOptions& options,
                     std::ostream& out, std::vector<wal::WalProblem>* problems) {
  DumpWriter writer(options, out);
  wal::WalLayout layout;
  absl::Status s = wal::WalkWal(
      fs, wal_dir,
      [&](const RecordPosition& pos, std::string_view record) {
        return writer.Record(pos, record);
      },
      &layout, problems);
  if (absl::IsCancelled(s)) return absl::OkStatus();  // --limit reached
  return s;
}

absl::StatusOr<WalSummary> VerifyWal(FileSystem* fs, const std::string& wal_dir) {
  WalSummary sum;
  Decoded d;
  absl::flat_hash_set<uint64_t> refs;
  auto fn = [&](const RecordPosition&, std::string_view record) -> absl::Status {
    absl::Status decoded = d.Decode(record);
    ++sum.records[static_cast<int>(d.type) < 5 ? static_cast<int>(d.type) : 0];
    RETURN_IF_ERROR(decoded);
    for (const wal::RefSeries& series : d.series) {
      ++sum.series;
      refs.insert(series.ref);
    }
    for (const wal::RefSample& s : d.samples) {
      ++sum.samples;
      if (!refs.contains(s.ref)) ++sum.samples_unknown_series;
      sum.min_t = std::min(sum.min_t, s.t);
      sum.max_t = std::max(sum.max_t, s.t);
    }
    sum.tombstones += d.tombstones.size();
    sum.metadata += d.metadata.size();
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(wal::WalkWal(fs, wal_dir, fn, &sum.layout, &sum.problems));
  sum.distinct_series = refs.size();
  return sum;
}

void PrintWalSummary(const WalSummary& s, const std::string& wal_dir, std::ostream& out) {
  const wal::WalLayout& l = s.layout;
  out << "WAL           " << wal_dir << "\n";
  out << "checkpoint    ";
  if (l.checkpoint.has_value()) {
    out << "checkpoint." << absl::StrFormat("%08u", *l.checkpoint) << " (" << l.checkpoint_segments
        << " segment" << (l.checkpoint_segments == 1 ? "" : "s") << ")\n";
  } else {
    out << "none\n";
  }
  out << "segments      " << l.segments.size();
  if (!l.segments.empty()) {
    out << absl::StrFormat(" (%08u .. %08u)", l.segments.front(), l.segments.back());
  }
  out << "\nbytes         " << l.bytes << "\n";
  uint64_t total = 0;
  for (uint64_t n : s.records) total += n;
  out << "records       " << total << " (series " << s.records[1] << ", samples " << s.records[2]
      << ", tombstones " << s.records[3] << ", metadata " << s.records[4];
  if (s.records[0] != 0) out << ", unknown type " << s.records[0];
  out << ")\n";
  out << "series        " << s.distinct_series << " (" << s.series << " series entries)\n";
  out << "samples       " << s.samples;
  if (s.samples_unknown_series != 0) {
    out << " (" << s.samples_unknown_series << " of series without a series record)";
  }
  out << "\ntombstones    " << s.tombstones << "\nmetadata      " << s.metadata << "\n";
  out << "time range    ";
  if (s.samples == 0) {
    out << "none\n";
  } else {
    out << s.min_t << " .. " << s.max_t << " (" << FormatTime(s.min_t) << " .. "
        << FormatTime(s.max_t) << ")\n";
  }
  for (const std::string& name : l.ignored) {
    out << "ignored       " << name << " (a leftover the next open deletes)\n";
  }
}

int RunWalDump(const std::string& data_dir, const WalDumpOptions& options) {
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  const std::string dir = JoinPath(data_dir, "wal");
  std::vector<wal::WalProblem> problems;
  absl::Status s = DumpWal(fs.get(), dir, options, std::cout, &problems);
  if (!s.ok()) {
    PrintError(absl::StrCat("wal dump: ", s.message()));
    return kExitFailure;
  }
  for (const wal::WalProblem& p : problems) {
    PrintError(absl::StrCat("wal dump: ", dir, "/", FormatWalProblem(p)));
  }
  return problems.empty() ? kExitOk : kExitFailure;
}

int RunWalVerify(const std::string& data_dir) {
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  const std::string dir = JoinPath(data_dir, "wal");
  absl::StatusOr<WalSummary> sum = VerifyWal(fs.get(), dir);
  if (!sum.ok()) {
    PrintError(absl::StrCat("wal verify: ", sum.status().message()));
    return kExitFailure;
  }
  PrintProblems(sum->problems, std::cout);
  PrintWalSummary(*sum, dir, std::cout);
  if (sum->problems.empty()) {
    std::cout << "result        OK\n";
    return kExitOk;
  }
  std::cout << "result        DAMAGED: " << sum->problems.size() << " problem"
            << (sum->problems.size() == 1 ? "" : "s") << "\n";
  std::cout.flush();
  PrintError(absl::StrCat("wal verify: ", dir, " is damaged (", sum->problems.size(), " problem",
                          sum->problems.size() == 1 ? "" : "s", ")"));
  return kExitFailure;
}

}  // namespace strata::tools
