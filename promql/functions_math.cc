// The instant-vector math functions of PromQL (abs, ceil, …, the
// trigonometric functions, round, clamp*, vector, the date functions, sort
// and sort_desc), as Prometheus 3's promql/functions.go computes them.
//
// Name handling follows Prometheus 3 with delayed name removal: every
// function that computes a new value marks its output for __name__ removal
// (drop_name = true) and keeps the name in `metric`; sort and sort_desc pass
// their input samples through unchanged.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "promql/function_impls.h"

namespace strata::promql {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Appends f(sample) for every sample of the first argument, marking the name
// for removal (Prometheus's simpleFloatFunc).
template <typename F>
void ApplyFloat(std::span<const FunctionArg> args, const FunctionContext& ctx, Vector* out, F f) {
  if (args.empty() || args[0].vector == nullptr) return;
  out->reserve(out->size() + args[0].vector->size());
  for (const Sample& s : *args[0].vector) {
    out->push_back(Sample{s.metric, ctx.ts, f(s.f), /*drop_name=*/true});
  }
}

// Go's math.Log2: exact for powers of two, otherwise Log(frac)/Ln2 + exp.
double GoLog2(double x) {
  int exp = 0;
  const double frac = std::frexp(x, &exp);
  if (frac == 0.5) return static_cast<double>(exp - 1);
  return std::log(frac) * (1 / std::numbers::ln2) + static_cast<double>(exp);
}

// Go's math.Log10 is Log2 scaled, which differs from libm's log10 in the
// last bit for some inputs.
double GoLog10(double x) { return GoLog2(x) * (std::numbers::ln2 / std::numbers::ln10); }

double Sgn(double v) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;  // keeps 0, -0 and NaN
}

double Deg(double v) { return v * 180 / std::numbers::pi; }
double Rad(double v) { return v * std::numbers::pi / 180; }

// Named wrappers so that overloaded libm functions can be template arguments.
double Abs(double v) { return std::fabs(v); }
double Ceil(double v) { return std::ceil(v); }
double Floor(double v) { return std::floor(v); }
double Exp(double v) { return std::exp(v); }
double Sqrt(double v) { return std::sqrt(v); }
double Ln(double v) { return std::log(v); }
double Sin(double v) { return std::sin(v); }
double Cos(double v) { return std::cos(v); }
double Tan(double v) { return std::tan(v); }
double Asin(double v) { return std::asin(v); }
double Acos(double v) { return std::acos(v); }
double Atan(double v) { return std::atan(v); }
double Sinh(double v) { return std::sinh(v); }
double Cosh(double v) { return std::cosh(v); }
double Tanh(double v) { return std::tanh(v); }
double Asinh(double v) { return std::asinh(v); }
double Acosh(double v) { return std::acosh(v); }
double Atanh(double v) { return std::atanh(v); }

template <double (*F)(double)>
absl::Status Simple(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  ApplyFloat(args, ctx, out, F);
  return absl::OkStatus();
}

// round(v, to_nearest=1): Prometheus multiplies by the inverse, which it found
// to be more accurate, and rounds ties up.
absl::Status Round(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  const double to_nearest = args.size() >= 2 ? args[1].scalar : 1.0;
  const double inverse = 1.0 / to_nearest;
  ApplyFloat(args, ctx, out,
             [inverse](double f) { return std::floor(f * inverse + 0.5) / inverse; });
  return absl::OkStatus();
}

// Go's math.Max / math.Min: an infinity wins over NaN, and signed zeros are
// ordered.
double GoMax(double x, double y) {
  if (x == kInf || y == kInf) return kInf;
  if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

double GoMin(double x, double y) {
  if (x == -kInf || y == -kInf) return -kInf;
  if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

void Clamp(std::span<const FunctionArg> args, const FunctionContext& ctx, double lo, double hi,
           Vector* out) {
  if (hi < lo) return;  // an empty result, as Prometheus (NaN bounds fall through)
  ApplyFloat(args, ctx, out, [lo, hi](double f) { return GoMax(lo, GoMin(hi, f)); });
}

absl::Status ClampFn(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  Clamp(args, ctx, args[1].scalar, args[2].scalar, out);
  return absl::OkStatus();
}

absl::Status ClampMin(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  Clamp(args, ctx, args[1].scalar, kInf, out);
  return absl::OkStatus();
}

absl::Status ClampMax(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  Clamp(args, ctx, -kInf, args[1].scalar, out);
  return absl::OkStatus();
}

absl::Status VectorFn(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  out->push_back(Sample{Labels(), ctx.ts, args[0].scalar, false});
  return absl::OkStatus();
}

// --- Date functions -------------------------------------------------------

// A UTC calendar date and time of day.
struct CivilTime {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
  int yday;   // 1..366
  int wday;   // 0 = Sunday
  int hour;
  int minute;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Proleptic Gregorian calendar from Unix seconds (H. Hinnant's civil_from_days).
CivilTime ToCivil(int64_t unix_seconds) {
  const int64_t days = FloorDiv(unix_seconds, 86400);
  const int64_t secs = unix_seconds - days * 86400;
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // from March 1st
  const int64_t mp = (5 * doy + 2) / 153;
  CivilTime c;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  int yday = c.day;
  for (int m = 1; m < c.month; ++m) yday += DaysInMonth(c.year, m);
  c.yday = yday;
  c.wday = static_cast<int>(days + 4 - FloorDiv(days + 4, 7) * 7);  // 1970-01-01: a Thursday
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>(secs % 3600 / 60);
  return c;
}

// Go's int64(f) on amd64: NaN and out-of-range values become math.MinInt64.
int64_t GoFloatToInt64(double f) {
  if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(f);
}

template <double (*F)(const CivilTime&)>
absl::Status DateFn(std::span<const FunctionArg> args, FunctionContext& ctx, Vector* out) {
  if (args.empty()) {
    // Go's integer division truncates toward zero.
    out->push_back(Sample{Labels(), ctx.ts, F(ToCivil(ctx.ts / 1000)), false});
    return absl::OkStatus();
  }
  ApplyFloat(args, ctx, out, [](double f) { return F(ToCivil(GoFloatToInt64(f))); });
  return absl::OkStatus();
}

double DayOfMonth(const CivilTime& c) { return c.day; }
double DayOfWeek(const CivilTime& c) { return c.wday; }
double DayOfYear(const CivilTime& c) { return c.yday; }
double DaysInMonthOf(const CivilTime& c) { return DaysInMonth(c.year, c.month); }
double Hour(const CivilTime& c) { return c.hour; }
double Minute(const CivilTime& c) { return c.minute; }
double Month(const CivilTime& c) { return c.month; }
double Year(const CivilTime& c) { return static_cast<double>(c.year); }

// --- sort, sort_desc ------------------------------------------------------

// Prometheus sorts with Go's sort.Sort and a "less" that puts NaN first, then
// reverses the order. For up to 12 elements Go's pdqsort is an insertion sort,
// whose result is: the non-NaN samples in (stable) value order, then the NaN
// samples in reverse input order. We produce that order for every size (for
// larger inputs Go's order of ties and NaNs is an artefact of pdqsort).
void SortByValue(std::span<const FunctionArg> args, bool descending, Vector* out) {
  if (args.empty() || args[0].vector == nullptr) return;
  const size_t begin = out->size();
  out->insert(out->end(), args[0].vector->begin(), args[0].vector->end());
  auto first = out->begin() + static_cast<std::ptrdiff_t>(begin);
  auto nan_begin =
      std::stable_partition(first, out->end(), [](const Sample& s) { return !std::isnan(s.f); });
  std::stable_sort(first, nan_begin, [descending](const Sample& a, const Sample& b) {
    return descending ? a.f > b.f : a.f < b.f;
  });
  std::reverse(nan_begin, out->end());
}

absl::Status Sort(std::span<const FunctionArg> args, FunctionContext&, Vector* out) {
  SortByValue(args, /*descending=*/false, out);
  return absl::OkStatus();
}

absl::Status SortDesc(std::span<const FunctionArg> args, FunctionContext&, Vector* out) {
  SortByValue(args, /*descending=*/true, out);
  return absl::OkStatus();
}

constexpr FunctionImpl kMathFunctions[] = {
    {"abs", Simple<Abs>},
    {"acos", Simple<Acos>},
    {"acosh", Simple<Acosh>},
    {"asin", Simple<Asin>},
    {"asinh", Simple<Asinh>},
    {"atan", Simple<Atan>},
    {"atanh", Simple<Atanh>},
    {"ceil", Simple<Ceil>},
    {"clamp", ClampFn},
    {"clamp_max", ClampMax},
    {"clamp_min", ClampMin},
    {"cos", Simple<Cos>},
    {"cosh", Simple<Cosh>},
    {"day_of_month", DateFn<DayOfMonth>},
    {"day_of_week", DateFn<DayOfWeek>},
    {"day_of_year", DateFn<DayOfYear>},
    {"days_in_month", DateFn<DaysInMonthOf>},
    {"deg", Simple<Deg>},
    {"exp", Simple<Exp>},
    {"floor", Simple<Floor>},
    {"hour", DateFn<Hour>},
    {"ln", Simple<Ln>},
    {"log10", Simple<GoLog10>},
    {"log2", Simple<GoLog2>},
    {"minute", DateFn<Minute>},
    {"month", DateFn<Month>},
    {"rad", Simple<Rad>},
    {"round", Round},
    {"sgn", Simple<Sgn>},
    {"sin", Simple<Sin>},
    {"sinh", Simple<Sinh>},
    {"sort", Sort},
    {"sort_desc", SortDesc},
    {"sqrt", Simple<Sqrt>},
    {"tan", Simple<Tan>},
    {"tanh", Simple<Tanh>},
    {"vector", VectorFn},
    {"year", DateFn<Year>},
};

}  // namespace

std::span<const FunctionImpl> MathFunctionImpls() { return kMathFunctions; }

}  // namespace strata::promql
