// Binary operators between scalars and between a vector and a scalar, and
// the float math they share with vector-vector operators (binop_vector.cc),
// as Prometheus 3's engine.go (scalarBinop, vectorElemBinop,
// VectorscalarBinop) with Go's math package semantics.
#include "promql/binop.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>

#include "promql/binop_internal.h"

namespace strata::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = std::numbers::pi;
constexpr double kPi2 = std::numbers::pi / 2;  // exact halving: Go's Pi/2 constant
constexpr double kPi4 = std::numbers::pi / 4;
// Go evaluates 3*Pi/4 at arbitrary precision before rounding; this is that
// rounded value (computing 3 * kPi / 4 in double could differ by an ulp).
constexpr double k3Pi4 = 2.35619449019234492884698253745962716;

// Go's isOddInt.
bool IsOddInt(double x) {
  if (std::fabs(x) >= 9007199254740992.0) return false;  // 1 << 53: all even
  double xi;
  double xf = std::modf(x, &xi);
  return xf == 0 && (static_cast<int64_t>(xi) & 1) == 1;
}

// Go's xatan: the Cephes rational approximation on [0, 0.66].
double XAtan(double x) {
  constexpr double kP0 = -8.750608600031904122785e-01;
  constexpr double kP1 = -1.615753718733365076637e+01;
  constexpr double kP2 = -7.500855792314704667340e+01;
  constexpr double kP3 = -1.228866684490136173410e+02;
  constexpr double kP4 = -6.485021904942025371773e+01;
  constexpr double kQ0 = +2.485846490142306297962e+01;
  constexpr double kQ1 = +1.650270098316988542046e+02;
  constexpr double kQ2 = +4.328810604912902668951e+02;
  constexpr double kQ3 = +4.853903996359136964868e+02;
  constexpr double kQ4 = +1.945506571482613964425e+02;
  double z = x * x;
  z = z * ((((kP0 * z + kP1) * z + kP2) * z + kP3) * z + kP4) /
      (((((z + kQ0) * z + kQ1) * z + kQ2) * z + kQ3) * z + kQ4);
  return x * z + x;
}

// Go's satan: range reduction of a positive argument for XAtan.
double SAtan(double x) {
  constexpr double kMorebits = 6.123233995736765886130e-17;  // pi/2 = PIO2 + Morebits
  constexpr double kTan3Pi8 = 2.41421356237309504880;
  if (x <= 0.66) return XAtan(x);
  if (x > kTan3Pi8) return kPi2 - XAtan(1 / x) + kMorebits;
  return kPi4 + XAtan((x - 1) / (x + 1)) + 0.5 * kMorebits;
}

double GoAtan(double x) {
  if (x == 0) return x;
  return x > 0 ? SAtan(x) : -SAtan(-x);
}

// Go's Pow special cases for y = ±Inf (x is neither 1 nor NaN).
double PowInfExponent(double x, double y) {
  if (x == -1) return 1;
  if ((std::fabs(x) < 1) == (y > 0)) return 0;
  return kInf;
}

// The special cases of Go's math.Pow; sets *done when one applied.
double PowSpecial(double x, double y, bool* done) {
  *done = true;
  if (y == 0 || x == 1) return 1;
  if (y == 1) return x;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0) {
    if (y < 0) return std::signbit(x) && IsOddInt(y) ? -kInf : kInf;
    return std::signbit(x) && IsOddInt(y) ? x : 0;  // y > 0
  }
  if (std::isinf(y)) return PowInfExponent(x, y);
  if (std::isinf(x)) {
    if (x < 0) return GoPow(1 / x, -y);  // Pow(-0, -y)
    return y < 0 ? 0 : kInf;
  }
  if (y == 0.5) return std::sqrt(x);
  if (y == -0.5) return 1 / std::sqrt(x);
  *done = false;
  return 0;
}

}  // namespace

double GoPow(double x, double y) {
  bool done;
  double special = PowSpecial(x, y, &done);
  if (done) return special;

  double yi;
  double yf = std::modf(std::fabs(y), &yi);
  if (yf != 0 && x < 0) return kNaN;
  if (yi >= 9223372036854775808.0) {  // 1 << 63: a huge even integer
    return PowInfExponent(x, y);
  }
  // ans = a1 * 2^ae; first x^yf, then x^yi by repeated squaring with the
  // powers of two accumulated separately, as Go does.
  double a1 = 1.0;
  int64_t ae = 0;
  if (yf != 0) {
    if (yf > 0.5) {
      yf--;
      yi++;
    }
    a1 = std::exp(yf * std::log(x));
  }
  int xe_int;
  double x1 = std::frexp(x, &xe_int);
  int64_t xe = xe_int;
  for (int64_t i = static_cast<int64_t>(yi); i != 0; i >>= 1) {
    if (xe < -(int64_t{1} << 12) || (int64_t{1} << 12) < xe) {
      ae += xe;  // catastrophic overflow: ldexp saturates
      break;
    }
    if ((i & 1) == 1) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe <<= 1;
    if (x1 < .5) {
      x1 += x1;
      xe--;
    }
  }
  if (y < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  // Clamp so the int conversion cannot wrap; beyond ±2^16 ldexp saturates
  // to 0 or ±Inf exactly like Go's Ldexp.
  if (ae > (1 << 16)) ae = 1 << 16;
  if (ae < -(1 << 16)) ae = -(1 << 16);
  return std::ldexp(a1, static_cast<int>(ae));
}

double GoAtan2(double y, double x) {
  if (std::isnan(y) || std::isnan(x)) return kNaN;
  if (y == 0) {
    if (x >= 0 && !std::signbit(x)) return std::copysign(0, y);
    return std::copysign(kPi, y);
  }
  if (x == 0) return std::copysign(kPi2, y);
  if (std::isinf(x)) {
    if (x > 0) return std::isinf(y) ? std::copysign(kPi4, y) : std::copysign(0, y);
    return std::isinf(y) ? std::copysign(k3Pi4, y) : std::copysign(kPi, y);
  }
  if (std::isinf(y)) return std::copysign(kPi2, y);
  double q = GoAtan(y / x);
  if (x < 0) return q <= 0 ? q + kPi : q - kPi;
  return q;
}

bool IsComparison(TokenKind op) {
  switch (op) {
    case TokenKind::kEqlc:
    case TokenKind::kNeq:
    case TokenKind::kGtr:
    case TokenKind::kLss:
    case TokenKind::kGte:
    case TokenKind::kLte:
      return true;
    default:
      return false;
  }
}

bool ChangesMetricSchema(TokenKind op) {
  switch (op) {
    case TokenKind::kAdd:
    case TokenKind::kSub:
    case TokenKind::kMul:
    case TokenKind::kDiv:
    case TokenKind::kPow:
    case TokenKind::kMod:
    case TokenKind::kAtan2:
      return true;
    default:
      return false;
  }
}

ElemResult ElemBinop(TokenKind op, double lhs, double rhs) {
  switch (op) {
    case TokenKind::kAdd:
      return {lhs + rhs, true};
    case TokenKind::kSub:
      return {lhs - rhs, true};
    case TokenKind::kMul:
      return {lhs * rhs, true};
    case TokenKind::kDiv:
      return {lhs / rhs, true};
    case TokenKind::kPow:
      return {GoPow(lhs, rhs), true};
    case TokenKind::kMod:
      // Go's math.Mod computes the exact remainder with the sign of lhs and
      // has fmod's special cases (NaN for x=±Inf or y=0, x for y=±Inf).
      return {std::fmod(lhs, rhs), true};
    case TokenKind::kEqlc:
      return {lhs, lhs == rhs};
    case TokenKind::kNeq:
      return {lhs, lhs != rhs};
    case TokenKind::kGtr:
      return {lhs, lhs > rhs};
    case TokenKind::kLss:
      return {lhs, lhs < rhs};
    case TokenKind::kGte:
      return {lhs, lhs >= rhs};
    case TokenKind::kLte:
      return {lhs, lhs <= rhs};
    case TokenKind::kAtan2:
      return {GoAtan2(lhs, rhs), true};
    default:
      // The parser admits no other operator between numbers (Prometheus
      // panics here).
      return {kNaN, false};
  }
}

double ScalarBinop(TokenKind op, double lhs, double rhs) {
  ElemResult r = ElemBinop(op, lhs, rhs);
  if (IsComparison(op)) return r.keep ? 1 : 0;
  return r.value;
}

absl::Status VectorScalarBinop(const BinaryExpr& e, const Vector& v, double scalar,
                               bool scalar_on_left, int64_t ts, Annotations* /*annotations*/,
                               Vector* out) {
  const bool comparison = IsComparison(e.op);
  const bool drop_name = ChangesMetricSchema(e.op) || e.return_bool;
  for (const Sample& s : v) {
    ElemResult r = scalar_on_left ? ElemBinop(e.op, scalar, s.f) : ElemBinop(e.op, s.f, scalar);
    // A comparison keeps the vector's value even when the scalar is the
    // left operand (`1000 < foo` outputs foo's values).
    double value = comparison ? s.f : r.value;
    if (e.return_bool) {
      value = r.keep ? 1 : 0;
    } else if (!r.keep) {
      continue;
    }
    // Delayed name removal: the name stays in `metric`, flagged; a
    // filtering comparison keeps the input's flag.
    out->push_back(Sample{s.metric, ts, value, s.drop_name || drop_name});
  }
  return absl::OkStatus();
}

}  // namespace strata::promql
