// The table of range-vector functions (rate, *_over_time, …) and the helpers
// the family shares: Prometheus's quantile(), Go's %g, annotation positions.
// The implementations live in functions_range_rate.cc and
// functions_over_time.cc.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "promql/function_impls.h"
#include "promql/functions_range_internal.h"

namespace strata::promql {
namespace range_internal {

double Quantile(double q, std::vector<double>* values) {
  if (values->empty() || std::isnan(q)) return std::nan("");
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  // Go's vectorByValueHeap.Less puts NaN before every number.
  std::sort(values->begin(), values->end(),
            [](double a, double b) { return (std::isnan(a) && !std::isnan(b)) || a < b; });
  const double n = static_cast<double>(values->size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return (*values)[static_cast<size_t>(lower)] * (1 - weight) +
         (*values)[static_cast<size_t>(upper)] * weight;
}

std::vector<double>* ScratchValues() {
  thread_local std::vector<double> values;
  values.clear();
  return &values;
}

std::string GoFormatG(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits in exponent form, e.g. "-1.25e+06"; this is
  // already Go's %e spelling (at least two exponent digits).
  std::array<char, 64> buf;
  const auto res =
      std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::scientific);
  const std::string sci(buf.data(), res.ptr);
  const size_t e = sci.find('e');
  const int exp = std::stoi(sci.substr(e + 1));
  // Go's %g with the shortest precision switches to exponent form when the
  // exponent is below -4 or at least 6.
  if (exp < -4 || exp >= 6) return sci;
  std::string out;
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (sci[i] == '-') {
      out.push_back('-');
    } else if (sci[i] != '.') {
      digits.push_back(sci[i]);
    }
  }
  const int point = exp + 1;  // digits before the decimal point
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
    return out;
  }
  if (digits.size() <= static_cast<size_t>(point)) {
    out += digits;
    out.append(static_cast<size_t>(point) - digits.size(), '0');
    return out;
  }
  out += digits.substr(0, static_cast<size_t>(point));
  out.push_back('.');
  out += digits.substr(static_cast<size_t>(point));
  return out;
}

std::string WithPosition(std::string msg, const FunctionContext& ctx, int arg) {
  if (ctx.call == nullptr || ctx.query.empty()) return msg;
  msg += " (";
  msg += ctx.Position(arg);
  msg += ")";
  return msg;
}

}  // namespace range_internal

std::span<const FunctionImpl> RangeFunctionImpls() {
  namespace ri = range_internal;
  static constexpr FunctionImpl kImpls[] = {
      {"rate", &ri::Rate},
      {"increase", &ri::Increase},
      {"delta", &ri::Delta},
      {"irate", &ri::Irate},
      {"idelta", &ri::Idelta},
      {"deriv", &ri::Deriv},
      {"predict_linear", &ri::PredictLinear},
      {"double_exponential_smoothing", &ri::DoubleExponentialSmoothing},
      {"changes", &ri::Changes},
      {"resets", &ri::Resets},
      {"avg_over_time", &ri::AvgOverTime},
      {"min_over_time", &ri::MinOverTime},
      {"max_over_time", &ri::MaxOverTime},
      {"sum_over_time", &ri::SumOverTime},
      {"count_over_time", &ri::CountOverTime},
      {"quantile_over_time", &ri::QuantileOverTime},
      {"stddev_over_time", &ri::StddevOverTime},
      {"stdvar_over_time", &ri::StdvarOverTime},
      // Prometheus's engine keeps __name__ only for these two: they pick a
      // sample of the series unchanged, as an offset would.
      {"last_over_time", &ri::LastOverTime, /*keeps_name=*/true},
      {"first_over_time", &ri::FirstOverTime, /*keeps_name=*/true},
      {"present_over_time", &ri::PresentOverTime},
      {"mad_over_time", &ri::MadOverTime},
      {"ts_of_first_over_time", &ri::TsOfFirstOverTime},
      {"ts_of_last_over_time", &ri::TsOfLastOverTime},
      {"ts_of_min_over_time", &ri::TsOfMinOverTime},
      {"ts_of_max_over_time", &ri::TsOfMaxOverTime},
  };
  return kImpls;
}

}  // namespace strata::promql
