// Value columns: a constant, decimals stored as scaled integers, or XOR.
//
// Exporters mostly emit integers (bytes, packets) and numbers printed with a
// few decimals (CPU seconds, load averages). Such a value is v == m / 10^k
// for an integer m and a small k, and IEEE division is correctly rounded, so
// storing m (as deltas, which are small and steady for counters) and
// dividing on decode gives back v bit for bit. The encoder checks every
// value by that very division; the few that fail (NaN, stale markers, ±Inf,
// -0.0, arbitrary floats) are stored verbatim as exceptions.
#include <cmath>
#include <cstring>
#include <optional>

#include "tsdb/chunk/cold_columns.h"
#include "tsdb/chunk/cold_int_column.h"

namespace strata::cold {
namespace {

// Powers of ten exact in a double (all up to 10^22 are).
constexpr int kMaxScale = 15;
constexpr double kPow10[kMaxScale + 1] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
// Integers up to 2^53 convert to double exactly.
constexpr double kMaxExactInt = 9007199254740992.0;
enum Order : uint8_t { kRaw = 0, kDelta = 1, kDod = 2 };

uint64_t Bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}
double FromBits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

double Unscale(int64_t m, int k) {
  const double x = static_cast<double>(m);
  return k == 0 ? x : x / kPow10[k];
}

// m with v == m / 10^k exactly, if there is one within the exact range.
std::optional<int64_t> ScaleExactly(double v, int k) {
  const double x = v * kPow10[k];
  if (!(std::fabs(x) <= kMaxExactInt)) return std::nullopt;  // also NaN
  const int64_t m = std::llrint(x);
  if (Bits(Unscale(m, k)) != Bits(v)) return std::nullopt;
  return m;
}

// Smallest k at which v is an exact decimal, or -1.
int MinScale(double v) {
  for (int k = 0; k <= kMaxScale; ++k) {
    if (ScaleExactly(v, k)) return k;
    if (!(std::fabs(v * kPow10[k]) <= kMaxExactInt)) break;
  }
  return -1;
}

void ApplyOrder(std::vector<int64_t>* m, Order order) {
  for (int pass = 0; pass < order; ++pass) {
    for (size_t i = m->size(); i-- > 1;) {
      (*m)[i] =
          static_cast<int64_t>(static_cast<uint64_t>((*m)[i]) - static_cast<uint64_t>((*m)[i - 1]));
    }
  }
}

void UndoOrder(int64_t* m, size_t n, int order) {
  for (int pass = 0; pass < order; ++pass) {
    uint64_t acc = 0;
    for (size_t i = 0; i < n; ++i) {
      acc += static_cast<uint64_t>(m[i]);
      m[i] = static_cast<int64_t>(acc);
    }
  }
}

std::optional<std::string> EncodeDecimal(std::span<const double> vs) {
  int scale = -1;
  for (double v : vs) scale = std::max(scale, MinScale(v));
  if (scale < 0) return std::nullopt;
  std::vector<int64_t> m(vs.size());
  std::vector<size_t> exceptions;
  std::optional<int64_t> first;
  for (size_t i = 0; i < vs.size(); ++i) {
    std::optional<int64_t> x = ScaleExactly(vs[i], scale);
    if (x) {
      m[i] = *x;
      if (!first) first = x;
    } else {
      // Repeat the previous integer so an exception costs no delta.
      m[i] = i > 0 ? m[i - 1] : 0;
      exceptions.push_back(i);
    }
  }
  // Leading exceptions repeat the first decimal instead of 0.
  for (size_t i = 0; i < vs.size() && i < exceptions.size() && exceptions[i] == i; ++i) {
    m[i] = first.value_or(0);
  }
  std::string head(1, static_cast<char>(kValDecimal));
  head.push_back(static_cast<char>(scale));
  std::string tail;
  PutUvarint(&tail, exceptions.size());
  size_t prev = 0;
  for (size_t j = 0; j < exceptions.size(); ++j) {
    PutUvarint(&tail, exceptions[j] - (j == 0 ? 0 : prev + 1));
    PutFixed64(&tail, Bits(vs[exceptions[j]]));
    prev = exceptions[j];
  }
  std::string best;
  for (Order order : {kRaw, kDelta, kDod}) {
    std::vector<int64_t> col = m;
    ApplyOrder(&col, order);
    std::string out = head;
    out.push_back(static_cast<char>(order));
    out += tail;
    EncodeIntColumn(col, &out);
    if (best.empty() || out.size() < best.size()) best = std::move(out);
  }
  return best;
}

bool DecodeDecimal(Decoder& d, size_t n, double* out, Scratch* s, const char** what) {
  const int scale = d.Byte();
  const int order = d.Byte();
  const uint64_t num_exc = d.Uvarint();
  if (!d.ok()) return Fail(what, "truncated decimal column");
  if (scale > kMaxScale) return Fail(what, "decimal scale out of range");
  if (order > kDod) return Fail(what, "unknown decimal order");
  // Each exception takes at least 9 bytes: bounds the allocation below.
  if (num_exc > n || num_exc > d.remaining() / 9) return Fail(what, "too many exceptions");
  s->ints2->resize(2 * num_exc);
  uint64_t idx = 0;
  for (uint64_t j = 0; j < num_exc; ++j) {
    const uint64_t gap = d.Uvarint();
    const uint64_t bits = d.Fixed64();
    idx = j == 0 ? gap : idx + 1 + gap;
    if (!d.ok() || gap >= n || idx >= n) return Fail(what, "bad decimal exception");
    (*s->ints2)[2 * j] = static_cast<int64_t>(idx);
    (*s->ints2)[2 * j + 1] = static_cast<int64_t>(bits);
  }
  s->ints->resize(n);
  int64_t* m = s->ints->data();
  if (!DecodeIntColumn(d, n, m, s->bytes, what)) return false;
  UndoOrder(m, n, order);
  if (scale == 0) {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(m[i]);
  } else {
    const double p = kPow10[scale];
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(m[i]) / p;
  }
  for (uint64_t j = 0; j < num_exc; ++j) {
    out[(*s->ints2)[2 * j]] = FromBits(static_cast<uint64_t>((*s->ints2)[2 * j + 1]));
  }
  return true;
}

std::string EncodeXor(std::span<const double> vs) {
  std::vector<uint64_t> bits(vs.size());
  for (size_t i = 0; i < vs.size(); ++i) bits[i] = Bits(vs[i]);
  std::string payload;
  EncodeXorValues(bits, &payload);
  std::string out(1, static_cast<char>(kValXor));
  PutLengthPrefixed(&out, payload);
  return out;
}

}  // namespace

void EncodeValues(std::span<const double> vs, std::string* out) {
  const uint64_t b0 = Bits(vs[0]);
  bool constant = true;
  for (double v : vs) constant = constant && Bits(v) == b0;
  if (constant) {
    out->push_back(static_cast<char>(kValConst));
    PutFixed64(out, b0);
    return;
  }
  std::string best = EncodeXor(vs);
  if (std::optional<std::string> dec = EncodeDecimal(vs); dec && dec->size() < best.size()) {
    best = std::move(*dec);
  }
  out->append(best);
}

bool DecodeValues(Decoder& d, size_t n, double* out, Scratch* s, const char** what) {
  const uint8_t kind = d.Byte();
  if (!d.ok()) return Fail(what, "truncated value column");
  switch (kind) {
    case kValConst: {
      const double v = FromBits(d.Fixed64());
      if (!d.ok()) return Fail(what, "truncated constant value");
      std::fill(out, out + n, v);
      return true;
    }
    case kValDecimal:
      return DecodeDecimal(d, n, out, s, what);
    case kValXor: {
      std::string_view payload = d.LengthPrefixed();
      if (!d.ok()) return Fail(what, "truncated xor column");
      // Decoded in place: a double and its bit pattern have the same size.
      static_assert(sizeof(double) == sizeof(uint64_t));
      s->ints->resize(n);
      uint64_t* bits = reinterpret_cast<uint64_t*>(s->ints->data());
      if (!DecodeXorValues(payload, n, bits, what)) return false;
      std::memcpy(out, bits, n * sizeof(double));
      return true;
    }
    default:
      return Fail(what, "unknown value column kind");
  }
}

}  // namespace strata::cold
