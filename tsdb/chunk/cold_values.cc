// Value columns: a constant, decimals stored as scaled integers, or XOR.
//
// Exporters mostly emit integers (bytes, packets) and numbers printed with a
// few decimals (CPU seconds, load averages), or compute values from integer
// counts (ms * 0.001, us / 1000 / 1000). Such a value is v == f(m) for an
// integer m and one of a few recipes f, each correctly rounded IEEE
// arithmetic, so storing m (as deltas, which are small and steady for
// counters) and applying f on decode gives back v bit for bit. The encoder
// checks every value by that very computation; the few that fail (NaN,
// stale markers, ±Inf, -0.0, arbitrary floats) are stored verbatim as
// exceptions.
#include <cmath>
#include <cstring>
#include <optional>

#include "tsdb/chunk/cold_columns.h"
#include "tsdb/chunk/cold_int_column.h"

namespace strata::cold {
namespace {

// Powers of ten exact in a double (all up to 10^22 are), and the doubles
// nearest to their inverses.
constexpr int kMaxScale = 15;
constexpr double kPow10[kMaxScale + 1] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
constexpr double kInvPow10[kMaxScale + 1] = {1e-0, 1e-1, 1e-2,  1e-3,  1e-4,  1e-5,  1e-6,  1e-7,
                                             1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15};
// |m| stays below this, so that deltas of deltas cannot overflow in the
// encoder's checks and llrint is defined. Above 2^53 several integers map
// to one double; the encoder keeps the one the double itself is.
constexpr double kMaxScaled = 4611686018427387904.0;  // 2^62

// How a decimal column's integers become values (the "recipe" byte's
// bits 4-5): each is a way programs compute values from integer counts, so
// each reproduces such values bit for bit where the others do not.
enum Op : uint8_t {
  kDivide = 0,     // m / 10^k: a number printed with k decimals, parsed
  kMultiply = 1,   // m * 10^-k (the double nearest): ms * 0.001
  kThousands = 2,  // m / 1000 / 1000 ...: k / 3 divisions (k a multiple of 3): us / 1e3 / 1e3
};
constexpr int kNumOps = 3;

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

double Unscale(int64_t m, int k, Op op) {
  double x = static_cast<double>(m);
  switch (op) {
    case kDivide:
      return k == 0 ? x : x / kPow10[k];
    case kMultiply:
      return x * kInvPow10[k];
    case kThousands:
      for (int j = 0; j < k / 3; ++j) x /= 1000.0;
      return x;
  }
  return x;
}

bool ValidScale(int k, Op op) { return op != kThousands || k % 3 == 0; }

// The recipe byte: bits 0-3 the scale, bits 4-7 the operation.
uint8_t RecipeByte(int k, Op op) { return static_cast<uint8_t>(k | (op << 4)); }
bool ParseRecipe(uint8_t byte, int* k, Op* op) {
  *k = byte & 0x0f;
  const int o = byte >> 4;
  *op = static_cast<Op>(o);
  return o < kNumOps && ValidScale(*k, *op);
}

// m with Unscale(m, k, op) == v bit for bit, if there is one in range.
std::optional<int64_t> ScaleExactly(double v, int k, Op op) {
  const double x = v * kPow10[k];
  if (!(std::fabs(x) < kMaxScaled)) return std::nullopt;  // also NaN
  int64_t m = std::llrint(x);
  // Of the integers that convert to the same double, take that double: the
  // column's integers then share its low zero bits (a factor to take out).
  m = static_cast<int64_t>(static_cast<double>(m));
  if (Bits(Unscale(m, k, op)) != Bits(v)) return std::nullopt;
  return m;
}

// Smallest valid k at which v is exact under `op`, or -1.
int MinScale(double v, Op op) {
  for (int k = 0; k <= kMaxScale; ++k) {
    if (!ValidScale(k, op)) continue;
    if (ScaleExactly(v, k, op)) return k;
    if (!(std::fabs(v * kPow10[k]) < kMaxScaled)) break;
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

// The column's scale under `op` (the largest of its values' smallest) and
// how many values would be exceptions; scale -1 when no value is exact.
struct Recipe {
  Op op;
  int scale;
  size_t exceptions;
};

Recipe FindScale(std::span<const double> vs, Op op) {
  Recipe r{op, -1, 0};
  for (double v : vs) {
    // Most values are exact at the scale found so far: one check each. (For
    // division exactness at k implies it at every larger k while |m| stays
    // below 2^53, so this finds the largest of the smallest scales; for the
    // other recipes a scale no larger. The count below is exact either way.)
    if (r.scale >= 0 && ScaleExactly(v, r.scale, op)) continue;
    r.scale = std::max(r.scale, MinScale(v, op));
  }
  if (r.scale < 0) return r;
  for (double v : vs) r.exceptions += ScaleExactly(v, r.scale, op) ? 0 : 1;
  return r;
}

// The recipe with the fewest exceptions, then the smallest scale (its
// integers carry no digits the values do not need): since integers up to
// 2^62 are allowed, division by a large power of ten reproduces almost any
// value, with needlessly large integers, where the program that made the
// values multiplied by 0.001.
Recipe ChooseRecipe(std::span<const double> vs) {
  Recipe best = FindScale(vs, kDivide);
  // Values with at most two decimals (most exporters' numbers) gain nothing
  // worth a second and third pass over them.
  if (best.scale >= 0 && best.scale <= 2 && best.exceptions == 0) return best;
  for (int op = 1; op < kNumOps; ++op) {
    const Recipe r = FindScale(vs, static_cast<Op>(op));
    if (r.scale < 0) continue;
    if (best.scale < 0 || r.exceptions < best.exceptions ||
        (r.exceptions == best.exceptions && r.scale < best.scale)) {
      best = r;
    }
  }
  return best;
}

std::optional<std::string> EncodeDecimal(std::span<const double> vs) {
  const Recipe recipe = ChooseRecipe(vs);
  if (recipe.scale < 0) return std::nullopt;
  std::vector<int64_t> m(vs.size());
  std::vector<size_t> exceptions;
  std::optional<int64_t> first;
  for (size_t i = 0; i < vs.size(); ++i) {
    std::optional<int64_t> x = ScaleExactly(vs[i], recipe.scale, recipe.op);
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
  head.push_back(static_cast<char>(RecipeByte(recipe.scale, recipe.op)));
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
  const uint8_t recipe = d.Byte();
  const int order = d.Byte();
  const uint64_t num_exc = d.Uvarint();
  if (!d.ok()) return Fail(what, "truncated decimal column");
  int scale;
  Op op;
  if (!ParseRecipe(recipe, &scale, &op)) return Fail(what, "bad decimal recipe");
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
  // One loop per recipe, each a single operation per value.
  if (op == kDivide && scale == 0) {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(m[i]);
  } else if (op == kDivide) {
    const double p = kPow10[scale];
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(m[i]) / p;
  } else if (op == kMultiply) {
    const double p = kInvPow10[scale];
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(m[i]) * p;
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = Unscale(m[i], scale, kThousands);
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
    // Most constants are small integers or short decimals (0, 1, a size, a
    // version): as such they take 3 bytes or so instead of 9.
    const Recipe recipe = ChooseRecipe(vs.first(1));
    if (recipe.scale >= 0 && recipe.exceptions == 0) {
      std::string dec(1, static_cast<char>(kValConstDecimal));
      dec.push_back(static_cast<char>(RecipeByte(recipe.scale, recipe.op)));
      PutVarint(&dec, *ScaleExactly(vs[0], recipe.scale, recipe.op));
      if (dec.size() < 9) {
        out->append(dec);
        return;
      }
    }
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

namespace {

// A kValShared column: the value column at an offset of another cold chunk
// (its last column) of the same n samples.
bool DecodeSharedValues(Decoder& d, size_t n, double* out, Scratch* s, const char** what,
                        const SharedColumns* shared, absl::Status* shared_error) {
  const uint64_t ref = d.Uvarint() + kSharedRefBase;
  const uint64_t offset = d.Uvarint();
  if (!d.ok()) return Fail(what, "truncated shared value reference");
  if (shared == nullptr) return Fail(what, "shared value column outside a block");
  std::span<const uint8_t> bytes;
  if (absl::Status st = shared->SharedColumn(ref, ChunkEncoding::kCold, &bytes); !st.ok()) {
    if (shared_error != nullptr) *shared_error = std::move(st);
    return Fail(what, "shared value column unreadable");
  }
  const std::string_view chunk(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  Decoder header(chunk);
  header.Byte();  // the version, checked when that chunk itself is read
  if (header.Uvarint() != n || !header.ok()) {
    return Fail(what, "shared value column of another length");
  }
  if (offset < chunk.size() - header.remaining() || offset >= chunk.size()) {
    return Fail(what, "shared value column offset out of range");
  }
  Decoder column(chunk.substr(offset));
  // No resolver inside: a shared column never refers to another.
  if (!DecodeValues(column, n, out, s, what)) return false;
  if (!column.done()) return Fail(what, "shared value column does not end its chunk");
  return true;
}

}  // namespace

bool DecodeValues(Decoder& d, size_t n, double* out, Scratch* s, const char** what,
                  const SharedColumns* shared, absl::Status* shared_error) {
  const uint8_t kind = d.Byte();
  if (!d.ok()) return Fail(what, "truncated value column");
  switch (kind) {
    case kValConst: {
      const double v = FromBits(d.Fixed64());
      if (!d.ok()) return Fail(what, "truncated constant value");
      std::fill(out, out + n, v);
      return true;
    }
    case kValConstDecimal: {
      const uint8_t recipe = d.Byte();
      const int64_t m = d.Varint();
      if (!d.ok()) return Fail(what, "truncated constant decimal");
      int scale;
      Op op;
      if (!ParseRecipe(recipe, &scale, &op)) return Fail(what, "bad decimal recipe");
      std::fill(out, out + n, Unscale(m, scale, op));
      return true;
    }
    case kValDecimal:
      return DecodeDecimal(d, n, out, s, what);
    case kValShared:
      return DecodeSharedValues(d, n, out, s, what, shared, shared_error);
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
