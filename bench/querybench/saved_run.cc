// Saved runs of strata-querybench (saved_run.h).
#include "bench/querybench/saved_run.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "fmt/format.h"

namespace strata::querybench {
namespace {

constexpr char kLatencies[] = "latencies.tsv";

std::string AnswerPath(const std::string& dir, const std::string& query) {
  return fmt::format("{}/{}.json", dir, query);
}

absl::Status WriteFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) return absl::InternalError(fmt::format("cannot write {}", path));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(fmt::format("cannot read {}", path));
  std::string content(std::istreambuf_iterator<char>(in), {});
  if (in.bad()) return absl::InternalError(fmt::format("error reading {}", path));
  return content;
}

// The parts of `text` between `sep`s (absl::StrSplit wants absl::string_view,
// which this absl build does not alias to std::string_view).
std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (size_t pos = 0;;) {
    const size_t end = std::min(text.find(sep, pos), text.size());
    parts.push_back(text.substr(pos, end - pos));
    if (end == text.size()) return parts;
    pos = end + 1;
  }
}

// A whole field as a latency, or nullopt when it is not a number.
std::optional<double> ParseLatency(std::string_view field) {
  double ms = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), ms);
  if (ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return ms;
}

// latencies.tsv's lines by query name; only latencies_ms and failure are set.
absl::StatusOr<std::map<std::string, SystemResult>> ParseLatencies(const std::string& path,
                                                                   std::string_view text) {
  std::map<std::string, SystemResult> rows;
  int line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    const std::vector<std::string_view> fields = Split(line, '\t');
    auto bad = [&](const std::string& why) {
      return absl::InvalidArgumentError(fmt::format("{} line {}: {}", path, line_no, why));
    };
    if (fields[0].empty()) return bad("no query name");
    SystemResult row;
    for (size_t i = 1; i < fields.size(); ++i) {
      if (std::optional<double> ms = ParseLatency(fields[i])) {
        if (!std::isfinite(*ms) || *ms < 0) return bad(fmt::format("bad latency {}", fields[i]));
        row.latencies_ms.push_back(*ms);
      } else if (i + 1 < fields.size()) {
        return bad(fmt::format("\"{}\" is neither a latency nor the last field", fields[i]));
      } else {
        row.failure = std::string(fields[i]);
      }
    }
    if (!rows.emplace(std::string(fields[0]), std::move(row)).second) {
      return bad(fmt::format("query {} again", fields[0]));
    }
  }
  return rows;
}

}  // namespace

absl::Status SaveRun(const std::vector<QueryResult>& results, size_t system,
                     const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(fmt::format("cannot create {}: {}", dir, ec.message()));
  std::string tsv;
  for (const QueryResult& r : results) {
    const SystemResult& s = r.systems[system];
    if (absl::Status st = WriteFile(AnswerPath(dir, r.query.name), s.answer); !st.ok()) return st;
    tsv += r.query.name;
    // fmt's {} is the shortest decimal that reads back as the same double.
    for (double ms : s.latencies_ms) fmt::format_to(std::back_inserter(tsv), "\t{}", ms);
    if (!s.failure.empty()) {
      std::string failure = s.failure;
      for (char& c : failure) {
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
      }
      tsv += '\t' + failure;
    }
    tsv += '\n';
  }
  return WriteFile(fmt::format("{}/{}", dir, kLatencies), tsv);
}

absl::StatusOr<std::vector<SystemResult>> LoadRun(const std::vector<Query>& suite,
                                                  const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) {
    return absl::NotFoundError(fmt::format("{} is not a directory", dir));
  }
  const std::string path = fmt::format("{}/{}", dir, kLatencies);
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::map<std::string, SystemResult>> rows = ParseLatencies(path, *text);
  if (!rows.ok()) return rows.status();

  std::vector<SystemResult> results(suite.size());
  for (size_t q = 0; q < suite.size(); ++q) {
    auto row = rows->find(suite[q].name);
    if (row == rows->end()) {
      results[q].failure = fmt::format("not in the saved run {}", dir);
      continue;
    }
    absl::StatusOr<std::string> answer = ReadFile(AnswerPath(dir, suite[q].name));
    if (!answer.ok()) return answer.status();
    results[q] = std::move(row->second);
    results[q].answer = *std::move(answer);
    DeriveStatistics(&results[q]);
  }
  return results;
}

absl::StatusOr<std::vector<QueryResult>> LoadRuns(const std::vector<Query>& suite,
                                                  const std::vector<SavedRun>& runs,
                                                  const Tolerance& tolerance) {
  std::vector<System> systems;
  std::vector<std::vector<SystemResult>> loaded;
  for (const SavedRun& run : runs) {
    systems.push_back({run.name, {}});
    absl::StatusOr<std::vector<SystemResult>> one = LoadRun(suite, run.dir);
    if (!one.ok()) return one.status();
    loaded.push_back(*std::move(one));
  }
  std::vector<QueryResult> results(suite.size());
  for (size_t q = 0; q < suite.size(); ++q) {
    results[q].query = suite[q];
    for (std::vector<SystemResult>& system : loaded) {
      results[q].systems.push_back(std::move(system[q]));
    }
    CompareWithFirst(systems, tolerance, &results[q]);
  }
  return results;
}

}  // namespace strata::querybench
