// OpenMetrics text output of the querybench dataset (openmetrics.h).
#include "bench/querybench/openmetrics.h"

#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fmt/format.h"

namespace strata::querybench {
namespace {

void AppendEscaped(std::string_view value, std::string* out) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

// "name{a="1",b="2"} " for a label set sorted by name (__name__ first).
std::string SeriesPrefix(const LabelPairs& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (name == "__name__") out = value;
  }
  out.push_back('{');
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (name == "__name__") continue;
    if (!first) out.push_back(',');
    first = false;
    absl::StrAppend(&out, name, "=\"");
    AppendEscaped(value, &out);
    out.push_back('"');
  }
  out.append("} ");
  return out;
}

}  // namespace

void AppendTimestamp(int64_t ms, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "{}.{:03}5", ms / 1000, ms % 1000);
}

absl::Status WriteOpenMetrics(const Dataset& dataset, const std::string& path,
                              OpenMetricsStats* stats) {
  const bool to_stdout = path == "-";
  // Closes the file on every return; stdout is only flushed.
  std::unique_ptr<FILE, int (*)(FILE*)> file(to_stdout ? stdout : std::fopen(path.c_str(), "w"),
                                             to_stdout ? std::fflush : std::fclose);
  if (!file) return absl::InternalError(absl::StrCat("open ", path, " for writing failed"));
  const int64_t per_target = dataset.series_per_target();
  // Each target's series prefixes, formatted again when its generation
  // changes (churn gives the series new labels).
  std::vector<std::string> prefixes(static_cast<size_t>(dataset.num_series()));
  std::vector<int> generation_of(static_cast<size_t>(dataset.targets()), -1);

  std::string buf, ts;
  *stats = {};
  auto flush = [&]() -> absl::Status {
    if (std::fwrite(buf.data(), 1, buf.size(), file.get()) != buf.size()) {
      return absl::InternalError(absl::StrCat("write to ", path, " failed"));
    }
    stats->bytes += buf.size();
    buf.clear();
    return absl::OkStatus();
  };
  for (int k = 0; k < dataset.scrapes(); ++k) {
    for (int t = 0; t < dataset.targets(); ++t) {
      if (const int g = dataset.Generation(t, k); g != generation_of[t]) {
        generation_of[t] = g;
        for (int64_t i = t * per_target; i < (t + 1) * per_target; ++i) {
          prefixes[i] = SeriesPrefix(dataset.Labels(i, g));
        }
      }
      const int64_t ms = dataset.Timestamp(t, k);
      ts.clear();
      AppendTimestamp(ms, &ts);
      // The round trip AppendTimestamp promises, checked rather than trusted.
      const double seconds = std::strtod(ts.c_str(), nullptr);
      if (static_cast<int64_t>(seconds * 1000) != ms) {
        return absl::InternalError(absl::StrCat("timestamp ", ts, " does not read back as ", ms));
      }
      for (int64_t i = t * per_target; i < (t + 1) * per_target; ++i) {
        buf.append(prefixes[i]);
        fmt::format_to(std::back_inserter(buf), "{} ", dataset.Value(i, k));
        buf.append(ts);
        buf.push_back('\n');
      }
      stats->samples += per_target;
      if (buf.size() >= (1 << 20)) {
        if (absl::Status s = flush(); !s.ok()) return s;
      }
    }
  }
  buf.append("# EOF\n");
  if (absl::Status s = flush(); !s.ok()) return s;
  if (file.get_deleter()(file.release()) != 0) {
    return absl::InternalError(absl::StrCat("closing ", path, " failed"));
  }
  return absl::OkStatus();
}

}  // namespace strata::querybench
