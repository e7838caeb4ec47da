// Comparison of Prometheus HTTP API answers (compare.h).
#include "bench/querybench/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace strata::querybench {
namespace {

using nlohmann::json;

struct Point {
  double t = 0;
  std::string v;  // as sent: "1.5", "NaN", "+Inf"
};

struct Series {
  std::string key;  // {a="1", b="2"}: the label set, names sorted
  std::vector<Point> points;
};

struct Answer {
  std::string problem;  // not JSON, or not shaped like an API answer
  std::string status;
  std::string error;  // "errorType: error"
  std::string result_type;
  std::vector<Series> series;  // sorted by key
};

std::string LabelKey(const json& metric) {
  std::string key = "{";
  // nlohmann's object is a std::map: names come sorted.
  for (const auto& [name, value] : metric.items()) {
    if (key.size() > 1) key += ", ";
    key += fmt::format("{}=\"{}\"", name, value.is_string() ? value.get<std::string>() : "?");
  }
  return key + "}";
}

Point ParsePoint(const json& pair) {
  if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_string()) {
    throw std::runtime_error("a sample is not [time, \"value\"]");
  }
  return {pair[0].get<double>(), pair[1].get<std::string>()};
}

Answer Parse(std::string_view body) {
  Answer answer;
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    answer.problem = fmt::format("not JSON: {:.120}", body);
    return answer;
  }
  try {
    answer.status = j.value("status", "");
    if (answer.status != "success") {
      answer.error = fmt::format("{}: {}", j.value("errorType", "?"), j.value("error", "?"));
      return answer;
    }
    const json& data = j.at("data");
    answer.result_type = data.at("resultType").get<std::string>();
    const json& result = data.at("result");
    if (answer.result_type == "scalar" || answer.result_type == "string") {
      answer.series.push_back({"", {ParsePoint(result)}});
    } else {
      const bool matrix = answer.result_type == "matrix";
      for (const json& s : result) {
        Series& series = answer.series.emplace_back();
        series.key = LabelKey(s.at("metric"));
        if (matrix) {
          for (const json& p : s.at("values")) series.points.push_back(ParsePoint(p));
        } else {
          series.points.push_back(ParsePoint(s.at("value")));
        }
      }
    }
  } catch (const std::exception& e) {
    answer.problem = fmt::format("unexpected JSON shape: {}", e.what());
    return answer;
  }
  std::sort(answer.series.begin(), answer.series.end(),
            [](const Series& x, const Series& y) { return x.key < y.key; });
  return answer;
}

bool SameValue(const std::string& a, const std::string& b, const Tolerance& tolerance) {
  if (a == b) return true;
  const double x = std::strtod(a.c_str(), nullptr);
  const double y = std::strtod(b.c_str(), nullptr);
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  if (std::isinf(x) || std::isinf(y)) return x == y;
  const double bound =
      std::max(tolerance.absolute, tolerance.relative * std::max(std::fabs(x), std::fabs(y)));
  return std::fabs(x - y) <= bound;
}

// Walks two answers' sorted series and collects what differs.
class Differ {
 public:
  Differ(std::string_view a_name, std::string_view b_name, const Tolerance& tolerance)
      : a_name_(a_name), b_name_(b_name), tolerance_(tolerance) {}

  std::string Run(const Answer& a, const Answer& b) {
    size_t i = 0, j = 0;
    while (i < a.series.size() || j < b.series.size()) {
      if (j == b.series.size() || (i < a.series.size() && a.series[i].key < b.series[j].key)) {
        if (only_a_++ == 0) first_only_a_ = a.series[i].key;
        ++i;
      } else if (i == a.series.size() || b.series[j].key < a.series[i].key) {
        if (only_b_++ == 0) first_only_b_ = b.series[j].key;
        ++j;
      } else {
        ComparePoints(a.series[i++], b.series[j++]);
      }
    }
    std::vector<std::string> parts;
    if (only_a_ > 0) {
      parts.push_back(
          fmt::format("{} series only in {} (e.g. {})", only_a_, a_name_, first_only_a_));
    }
    if (only_b_ > 0) {
      parts.push_back(
          fmt::format("{} series only in {} (e.g. {})", only_b_, b_name_, first_only_b_));
    }
    if (timestamp_series_ > 0) {
      parts.push_back(fmt::format("{} series with other timestamps (e.g. {})", timestamp_series_,
                                  first_timestamps_));
    }
    if (value_points_ > 0) {
      parts.push_back(fmt::format("{} values differ in {} series (e.g. {})", value_points_,
                                  value_series_, first_value_));
    }
    std::string out;
    for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
  }

 private:
  void ComparePoints(const Series& a, const Series& b) {
    size_t n = std::min(a.points.size(), b.points.size());
    bool timestamps_differ = a.points.size() != b.points.size();
    uint64_t values_differ = 0;
    for (size_t k = 0; k < n; ++k) {
      if (std::fabs(a.points[k].t - b.points[k].t) > 5e-4) {
        timestamps_differ = true;
        break;
      }
      if (SameValue(a.points[k].v, b.points[k].v, tolerance_)) continue;
      if (values_differ++ == 0 && value_points_ == 0) {
        first_value_ = fmt::format("{} at {:.3f}: {} {} vs {} {}", a.key, a.points[k].t, a_name_,
                                   a.points[k].v, b_name_, b.points[k].v);
      }
    }
    if (timestamps_differ) {
      if (timestamp_series_++ == 0) {
        first_timestamps_ = fmt::format("{}: {} points in {}, {} in {}", a.key, a.points.size(),
                                        a_name_, b.points.size(), b_name_);
      }
    } else if (values_differ > 0) {
      value_points_ += values_differ;
      ++value_series_;
    }
  }

  std::string_view a_name_, b_name_;
  const Tolerance& tolerance_;
  uint64_t only_a_ = 0, only_b_ = 0, timestamp_series_ = 0, value_points_ = 0, value_series_ = 0;
  std::string first_only_a_, first_only_b_, first_timestamps_, first_value_;
};

}  // namespace

AnswerSummary Summarize(std::string_view body) {
  Answer answer = Parse(body);
  AnswerSummary summary;
  summary.success = answer.problem.empty() && answer.status == "success";
  summary.error = !answer.problem.empty() ? answer.problem : answer.error;
  summary.result_type = answer.result_type;
  summary.series = answer.series.size();
  for (const Series& s : answer.series) summary.points += s.points.size();
  return summary;
}

Comparison CompareAnswers(std::string_view a_body, std::string_view b_body, std::string_view a_name,
                          std::string_view b_name, const Tolerance& tolerance) {
  const Answer a = Parse(a_body);
  const Answer b = Parse(b_body);
  Comparison out;
  if (!a.problem.empty() || !b.problem.empty()) {
    out.difference = !a.problem.empty() ? fmt::format("{}: {}", a_name, a.problem)
                                        : fmt::format("{}: {}", b_name, b.problem);
    return out;
  }
  if (a.status != "success" || b.status != "success") {
    auto describe = [](const Answer& x) {
      return x.status == "success" ? std::string("success") : x.error;
    };
    out.difference = fmt::format("{}: {}; {}: {}", a_name, describe(a), b_name, describe(b));
    return out;
  }
  if (a.result_type != b.result_type) {
    out.difference =
        fmt::format("result type {} in {}, {} in {}", a.result_type, a_name, b.result_type, b_name);
    return out;
  }
  out.difference = Differ(a_name, b_name, tolerance).Run(a, b);
  out.equal = out.difference.empty();
  return out;
}

}  // namespace strata::querybench
