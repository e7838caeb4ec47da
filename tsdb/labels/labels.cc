#include "tsdb/labels/labels.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tsdb/base/coding.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace strata {
namespace {

// Separator Prometheus hashes between names and values: 0xff never occurs in
// valid UTF-8, so "a"+"bc" and "ab"+"c" hash differently.
constexpr char kSep = '\xff';

// HashSorted: pairs whose hash input fits here are copied to the stack and
// hashed in one shot; larger ones stream through an XXH3 state (also on the
// stack). Both give the same digest. (Labels::Hash needs neither: the set
// stores its pairs in hash-input form.)
constexpr size_t kHashStackBytes = 1024;

bool LabelLess(const Label& a, const Label& b) {
  int c = a.name.compare(b.name);
  if (c != 0) return c < 0;
  return a.value < b.value;
}

// Insertion sort for the usual small sets (no allocation, fast for
// ~10 pairs); std::sort beyond that. Ordering by (name, value) makes the
// result independent of input order even with duplicate names.
void SortLabels(std::vector<Label>* labels) {
  auto& v = *labels;
  if (v.size() <= 24) {
    for (size_t i = 1; i < v.size(); ++i) {
      Label x = v[i];
      size_t j = i;
      for (; j > 0 && LabelLess(x, v[j - 1]); --j) v[j] = v[j - 1];
      v[j] = x;
    }
    return;
  }
  std::sort(v.begin(), v.end(), LabelLess);
}

char* AppendPair(char* p, const Label& l) {
  p = std::copy_n(l.name.data(), l.name.size(), p);
  *p++ = kSep;
  p = std::copy_n(l.value.data(), l.value.size(), p);
  *p++ = kSep;
  return p;
}

char* PutLength(char* p, size_t n) {
  while (n >= 0x80) {
    *p++ = static_cast<char>(n | 0x80);
    n >>= 7;
  }
  *p++ = static_cast<char>(n);
  return p;
}

void UpdatePair(XXH3_state_t* state, const Label& l) {
  XXH3_64bits_update(state, l.name.data(), l.name.size());
  XXH3_64bits_update(state, &kSep, 1);
  XXH3_64bits_update(state, l.value.data(), l.value.size());
  XXH3_64bits_update(state, &kSep, 1);
}

// Decodes one rune of `s` at `i` as Go's utf8.DecodeRuneInString does.
// Returns its width (1-4) and sets *r, or returns 0 for an invalid encoding
// (where Go returns RuneError with width 1).
int DecodeRune(std::string_view s, size_t i, uint32_t* r) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + i;
  const size_t n = s.size() - i;
  const uint8_t b0 = p[0];
  if (b0 < 0x80) {
    *r = b0;
    return 1;
  }
  auto cont = [](uint8_t b) { return (b & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (n < 2 || !cont(p[1])) return 0;
    *r = (uint32_t{b0} & 0x1F) << 6 | (p[1] & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (n < 3) return 0;
    uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
    uint8_t hi = b0 == 0xED ? 0x9F : 0xBF;  // no surrogates
    if (p[1] < lo || p[1] > hi || !cont(p[2])) return 0;
    *r = (uint32_t{b0} & 0x0F) << 12 | (uint32_t{p[1]} & 0x3F) << 6 | (p[2] & 0x3F);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (n < 4) return 0;
    uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80;  // no overlong forms
    uint8_t hi = b0 == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
    if (p[1] < lo || p[1] > hi || !cont(p[2]) || !cont(p[3])) return 0;
    *r = (uint32_t{b0} & 0x07) << 18 | (uint32_t{p[1]} & 0x3F) << 12 |
         (uint32_t{p[2]} & 0x3F) << 6 | (p[3] & 0x3F);
    return 4;
  }
  return 0;
}

// Go's strconv.IsPrint for runes >= 0x80, approximated without Unicode
// tables: the separators (Z*), format characters (Cf), C1 controls, private
// use and noncharacters are not printable; unassigned code points are
// treated as printable.
bool IsPrintNonAscii(uint32_t r) {
  if (r <= 0xA0 || r == 0xAD) return false;  // C1 controls, NBSP, soft hyphen
  if (r < 0x600) return true;
  struct Range {
    uint32_t lo, hi;
  };
  static constexpr Range kNotPrint[] = {
      {0x600, 0x605},     {0x61C, 0x61C},     {0x6DD, 0x6DD},     {0x70F, 0x70F},
      {0x890, 0x891},     {0x8E2, 0x8E2},     {0x1680, 0x1680},   {0x180E, 0x180E},
      {0x2000, 0x200F},   {0x2028, 0x202F},   {0x205F, 0x206F},   {0x3000, 0x3000},
      {0xE000, 0xF8FF},   {0xFDD0, 0xFDEF},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},
      {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},
      {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xF0000, 0x10FFFF},
  };
  if ((r & 0xFFFE) == 0xFFFE) return false;  // U+xFFFE, U+xFFFF noncharacters
  for (const Range& range : kNotPrint) {
    if (r < range.lo) return true;
    if (r <= range.hi) return false;
  }
  return true;
}

constexpr char kLowerHex[] = "0123456789abcdef";

void AppendHexEscape(std::string* out, char kind, uint32_t v, int digits) {
  out->push_back('\\');
  out->push_back(kind);
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out->push_back(kLowerHex[(v >> shift) & 0xF]);
  }
}

void AppendName(std::string* out, std::string_view name) {
  if (IsLegacyLabelName(name)) {
    out->append(name);
  } else {
    AppendGoQuoted(out, name);
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Labels

static_assert(sizeof(Labels) <= sizeof(std::string) + 8, "body_ should fit in the padding");

Labels Labels::FromSorted(std::span<const Label> labels) {
  Labels ls;
  size_t lengths = 0, body = 0;
  for (const Label& l : labels) {
    assert(l.name.size() <= UINT32_MAX && l.value.size() <= UINT32_MAX);
    lengths += UvarintLength(l.name.size()) + UvarintLength(l.value.size());
    body += l.name.size() + l.value.size() + 2;
  }
  ls.data_.resize(lengths + body);
  char* len = ls.data_.data();
  char* p = len + lengths;
  for (const Label& l : labels) {
    len = PutLength(len, l.name.size());
    len = PutLength(len, l.value.size());
    p = AppendPair(p, l);
  }
  ls.count_ = static_cast<uint32_t>(labels.size());
  ls.body_ = static_cast<uint32_t>(lengths);
  return ls;
}

Labels Labels::FromUnsorted(std::vector<Label> labels) {
  SortLabels(&labels);
  return FromSorted(labels);
}

Labels Labels::FromStrings(std::initializer_list<std::string_view> name_value_pairs) {
  assert(name_value_pairs.size() % 2 == 0);
  std::vector<Label> labels;
  labels.reserve(name_value_pairs.size() / 2);
  const std::string_view* p = name_value_pairs.begin();
  for (size_t i = 0; i + 1 < name_value_pairs.size(); i += 2) labels.push_back({p[i], p[i + 1]});
  return FromUnsorted(std::move(labels));
}

Label Labels::operator[](size_t i) const {
  assert(i < count_);
  Cursor c = Begin();
  for (size_t k = 0; k < i; ++k) c.Next();
  return c.Next();
}

std::string_view Labels::Get(std::string_view name) const {
  Cursor c = Begin();
  for (size_t i = 0; i < count_; ++i) {
    Label l = c.Next();
    int cmp = l.name.compare(name);
    if (cmp == 0) return l.value;
    if (cmp > 0) break;  // sorted: `name` cannot come later
  }
  return {};
}

bool Labels::Has(std::string_view name) const {
  Cursor c = Begin();
  for (size_t i = 0; i < count_; ++i) {
    int cmp = c.Next().name.compare(name);
    if (cmp == 0) return true;
    if (cmp > 0) break;
  }
  return false;
}

uint64_t Labels::Hash() const { return XXH3_64bits(data_.data() + body_, data_.size() - body_); }

uint64_t Labels::HashSorted(std::span<const Label> labels) {
  size_t total = 0;
  for (const Label& l : labels) total += l.name.size() + l.value.size() + 2;
  if (total <= kHashStackBytes) {
    char buf[kHashStackBytes];
    char* p = buf;
    for (const Label& l : labels) p = AppendPair(p, l);
    return XXH3_64bits(buf, total);
  }
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  for (const Label& l : labels) UpdatePair(&state, l);
  return XXH3_64bits_digest(&state);
}

Labels Labels::WithoutEmpty() const {
  bool any_empty = false;
  ForEach([&](const Label& l) { any_empty |= l.value.empty(); });
  if (!any_empty) return *this;
  std::vector<Label> kept;
  kept.reserve(count_);
  ForEach([&](const Label& l) {
    if (!l.value.empty()) kept.push_back(l);
  });
  return FromSorted(kept);
}

std::string Labels::ToString() const {
  std::string out;
  out.reserve(data_.size() + 2 * count_ + 2);
  std::string_view metric = Get(kMetricNameLabel);
  // An empty __name__ is an odd but representable pair: print it inside the
  // braces like any other label rather than as an empty metric name.
  const bool has_metric = !metric.empty();
  const bool legacy_metric = has_metric && IsLegacyMetricName(metric);
  if (legacy_metric) {
    out.append(metric);
    if (count_ == 1) return out;  // just "up", as Prometheus prints it
  }
  out.push_back('{');
  bool first = true;
  if (has_metric && !legacy_metric) {
    AppendGoQuoted(&out, metric);  // Prometheus 3: {"my.metric", job="x"}
    first = false;
  }
  ForEach([&](const Label& l) {
    if (has_metric && l.name == kMetricNameLabel) return;
    if (!first) out.append(", ");
    first = false;
    AppendName(&out, l.name);
    out.push_back('=');
    AppendGoQuoted(&out, l.value);
  });
  out.push_back('}');
  return out;
}

int Compare(const Labels& a, const Labels& b) {
  // The bodies are the tokens name, value, name, ... each followed by 0xff,
  // a byte that valid UTF-8 never holds. Comparing token by token, shorter
  // token first, is comparing the bodies bytewise with the separator below
  // every other byte: one scan for the first differing byte instead of a
  // string comparison per name and value. (Series sort by labels in every
  // selection, with long common prefixes: the metric name and job.)
  const char* pa = a.data_.data() + a.body_;
  const char* pb = b.data_.data() + b.body_;
  const size_t na = a.data_.size() - a.body_;
  const size_t nb = b.data_.size() - b.body_;
  const size_t n = std::min(na, nb);
  // At the first differing byte: ranks with the separator (0xff) lowest.
  auto order_at = [&](size_t i) {
    const int ca = (static_cast<uint8_t>(pa[i]) + 1) & 0xff;
    const int cb = (static_cast<uint8_t>(pb[i]) + 1) & 0xff;
    return ca < cb ? -1 : 1;
  };
  static_assert(std::endian::native == std::endian::little);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t wa, wb;
    std::memcpy(&wa, pa + i, 8);
    std::memcpy(&wb, pb + i, 8);
    if (wa != wb) return order_at(i + static_cast<size_t>(std::countr_zero(wa ^ wb) / 8));
  }
  for (; i < n; ++i) {
    if (pa[i] != pb[i]) return order_at(i);
  }
  if (na == nb) return 0;
  return na < nb ? -1 : 1;  // a set whose pairs begin the other's sorts first
}

// ---------------------------------------------------------------------------
// Labels::Builder

void Labels::Builder::Sort() { SortLabels(&labels_); }

Labels Labels::Builder::Build() {
  Sort();
  return FromSorted(labels_);
}

// ---------------------------------------------------------------------------
// Validation and formatting

absl::Status ValidateLabels(const Labels& labels) {
  absl::Status status;
  std::string_view prev;
  bool first = true;
  labels.ForEach([&](const Label& l) {
    if (!status.ok()) return;
    if (l.name.empty()) {
      status = absl::InvalidArgumentError("invalid label name \"\": empty");
    } else if (!IsValidUtf8(l.name)) {
      status = absl::InvalidArgumentError(
          absl::StrCat("invalid label name ", GoQuote(l.name), ": not valid UTF-8"));
    } else if (!first && l.name == prev) {
      status = absl::InvalidArgumentError(absl::StrCat("duplicate label name ", GoQuote(l.name)));
    } else if (!IsValidUtf8(l.value)) {
      status = absl::InvalidArgumentError(
          absl::StrCat("invalid UTF-8 in value of label ", GoQuote(l.name)));
    }
    prev = l.name;
    first = false;
  });
  return status;
}

bool IsLegacyLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsLegacyMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Label strings are mostly ASCII: skip 8 bytes at a time while no byte
    // has its high bit set.
    while (i + 8 <= s.size() && (LoadFixed64(s.data() + i) & 0x8080808080808080ull) == 0) {
      i += 8;
    }
    if (i >= s.size()) break;
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    uint32_t r;
    int w = DecodeRune(s, i, &r);
    if (w == 0) return false;
    i += w;
  }
  return true;
}

std::string ReplaceInvalidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  size_t i = 0;
  while (i < s.size()) {
    uint32_t r;
    int w = static_cast<uint8_t>(s[i]) < 0x80 ? 1 : DecodeRune(s, i, &r);
    if (w == 0) {
      out.append("\xef\xbf\xbd");  // U+FFFD
      ++i;
    } else {
      out.append(s.substr(i, w));
      i += w;
    }
  }
  return out;
}

void AppendGoQuoted(std::string* out, std::string_view s) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '"' || c == '\\') out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '\a':
          out->append("\\a");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\v':
          out->append("\\v");
          break;
        default:
          AppendHexEscape(out, 'x', c, 2);
          break;  // other controls, DEL
      }
      ++i;
      continue;
    }
    uint32_t r;
    int w = DecodeRune(s, i, &r);
    if (w == 0) {
      AppendHexEscape(out, 'x', c, 2);  // invalid UTF-8 byte
      ++i;
      continue;
    }
    if (IsPrintNonAscii(r)) {
      out->append(s.substr(i, w));
    } else if (r < 0x10000) {
      AppendHexEscape(out, 'u', r, 4);
    } else {
      AppendHexEscape(out, 'U', r, 8);
    }
    i += w;
  }
  out->push_back('"');
}

std::string GoQuote(std::string_view s) {
  std::string out;
  AppendGoQuoted(&out, s);
  return out;
}

}  // namespace strata
