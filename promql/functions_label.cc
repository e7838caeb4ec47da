// The label-manipulating PromQL functions label_replace, label_join,
// sort_by_label and sort_by_label_desc, as Prometheus 3's promql/functions.go
// and engine.go compute them.
//
// Prometheus evaluates label_replace and label_join over the whole range of
// the argument and then merges series that ended up with the same label set,
// failing when two of them have a sample at the same time. Called once per
// step, that is: fail when two output samples of the step share a label set.
// None of these functions drops __name__; writing __name__ (label_replace,
// label_join) cancels a pending removal.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "promql/function_impls.h"
#include "promql/label_util.h"
#include "re2/re2.h"

namespace strata::promql {
namespace {

// Prometheus 3 accepts any non-empty UTF-8 label name (model.UTF8Validation).
bool IsValidLabelName(std::string_view name) { return !name.empty() && IsValidUtf8(name); }

absl::Status CheckNoDuplicateLabelSets(const Vector& out, size_t begin) {
  absl::flat_hash_map<uint64_t, size_t> seen;
  for (size_t i = begin; i < out.size(); ++i) {
    auto [it, inserted] = seen.emplace(out[i].metric.Hash(), i);
    if (!inserted && out[it->second].metric == out[i].metric) {
      return absl::FailedPreconditionError("vector cannot contain metrics with the same labelset");
    }
  }
  return absl::OkStatus();
}

// --- label_replace ----------------------------------------------------------

// A compiled label_replace regex: Prometheus anchors it and lets `.` match
// newlines, "^(?s:" + regex + ")$". The last one is kept per thread because
// the function runs once per step with the same pattern.
const RE2* CompileAnchored(std::string_view regex) {
  thread_local std::string cached_pattern;
  thread_local std::unique_ptr<RE2> cached;
  if (cached != nullptr && cached_pattern == regex) return cached.get();
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(absl::StrCat("^(?s:", std::string(regex), ")$"), options);
  if (!re->ok()) return nullptr;
  cached_pattern = std::string(regex);
  cached = std::move(re);
  return cached.get();
}

bool IsNameRune(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Go's regexp extract(): parses `name` or `{name}` after a '$'. Returns false
// for a malformed reference. `num` is the group number, or -1 for a name.
bool ExtractRef(std::string_view s, std::string_view* name, int* num, size_t* consumed) {
  if (s.empty()) return false;
  const bool brace = s[0] == '{';
  const size_t start = brace ? 1 : 0;
  size_t i = start;
  while (i < s.size() && IsNameRune(static_cast<unsigned char>(s[i]))) ++i;
  if (i == start) return false;
  *name = s.substr(start, i - start);
  if (brace) {
    if (i >= s.size() || s[i] != '}') return false;
    ++i;
  }
  *consumed = i;
  *num = 0;
  for (char c : *name) {
    if (c < '0' || c > '9' || *num >= 100000000) {
      *num = -1;
      break;
    }
    *num = *num * 10 + (c - '0');
  }
  if ((*name)[0] == '0' && name->size() > 1) *num = -1;  // no leading zeros
  return true;
}

// Go's Regexp.ExpandString: $1, ${1}, $name, ${name}; "$$" is a literal '$';
// a malformed reference keeps its '$'; unknown or unmatched groups expand to
// nothing. (Go also counts non-ASCII letters and digits as name runes; here
// only ASCII ones do.)
std::string Expand(const RE2& re, std::string_view tmpl,
                   const std::vector<re2::StringPiece>& groups) {
  std::string out;
  while (!tmpl.empty()) {
    const size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out.push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view name;
    int num = 0;
    size_t consumed = 0;
    if (!ExtractRef(tmpl, &name, &num, &consumed)) {
      out.push_back('$');
      continue;
    }
    tmpl.remove_prefix(consumed);
    if (num < 0) {
      const auto& named = re.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      num = it == named.end() ? -1 : it->second;
    }
    if (num >= 0 && static_cast<size_t>(num) < groups.size() && groups[num].data() != nullptr) {
      out.append(groups[num].data(), groups[num].size());
    }
  }
  out.append(tmpl);
  return out;
}

// label_replace(v, dst, replacement, src, regex).
absl::Status LabelReplace(std::span<const FunctionArg> args, FunctionContext&, Vector* out) {
  const std::string_view dst = args[1].string;
  const std::string_view repl = args[2].string;
  const std::string_view src = args[3].string;
  const std::string_view regex = args[4].string;
  const RE2* re = CompileAnchored(regex);
  if (re == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid regular expression in label_replace(): ", std::string(regex)));
  }
  if (!IsValidLabelName(dst)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid destination label name in label_replace(): ", std::string(dst)));
  }
  if (args[0].vector == nullptr) return absl::OkStatus();
  const size_t begin = out->size();
  std::vector<re2::StringPiece> groups(static_cast<size_t>(re->NumberOfCapturingGroups()) + 1);
  for (const Sample& s : *args[0].vector) {
    const std::string_view value = s.metric.Get(src);
    if (!re->Match(re2::StringPiece(value.data(), value.size()), 0, value.size(), RE2::UNANCHORED,
                   groups.data(), static_cast<int>(groups.size()))) {
      out->push_back(s);  // no match: the sample is left alone
      continue;
    }
    const std::string replaced = Expand(*re, repl, groups);
    out->push_back(Sample{WithLabel(s.metric, dst, replaced), s.t, s.f,
                          dst == kMetricNameLabel ? false : s.drop_name});
  }
  return CheckNoDuplicateLabelSets(*out, begin);
}

// label_join(v, dst, separator, src...).
absl::Status LabelJoin(std::span<const FunctionArg> args, FunctionContext&, Vector* out) {
  const std::string_view dst = args[1].string;
  const std::string_view sep = args[2].string;
  for (size_t i = 3; i < args.size(); ++i) {
    if (!IsValidLabelName(args[i].string)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid source label name in label_join(): ", std::string(args[i].string)));
    }
  }
  if (!IsValidLabelName(dst)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid destination label name in label_join(): ", std::string(dst)));
  }
  if (args[0].vector == nullptr) return absl::OkStatus();
  const size_t begin = out->size();
  std::string joined;
  for (const Sample& s : *args[0].vector) {
    joined.clear();
    for (size_t i = 3; i < args.size(); ++i) {
      if (i > 3) joined.append(sep);
      joined.append(s.metric.Get(args[i].string));
    }
    out->push_back(Sample{WithLabel(s.metric, dst, joined), s.t, s.f,
                          dst == kMetricNameLabel ? false : s.drop_name});
  }
  return CheckNoDuplicateLabelSets(*out, begin);
}

// --- sort_by_label ------------------------------------------------------------

// The next chunk of `s` from `pos`: a maximal run of ASCII digits or of
// anything else (the \d+|\D+ chunks of github.com/facette/natsort).
std::string_view NextChunk(std::string_view s, size_t* pos) {
  const size_t start = *pos;
  const bool digits = s[start] >= '0' && s[start] <= '9';
  size_t i = start + 1;
  while (i < s.size() && (s[i] >= '0' && s[i] <= '9') == digits) ++i;
  *pos = i;
  return s.substr(start, i - start);
}

// strconv.Atoi of a digit chunk: fails (false) when it overflows int64.
bool ChunkToInt(std::string_view chunk, int64_t* v) {
  if (chunk.empty() || chunk[0] < '0' || chunk[0] > '9') return false;
  uint64_t x = 0;
  for (char c : chunk) {
    if (x > (static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(c - '0')) / 10) return false;
    x = x * 10 + static_cast<uint64_t>(c - '0');
  }
  *v = static_cast<int64_t>(x);
  return true;
}

size_t CountChunks(std::string_view s) {
  size_t n = 0;
  for (size_t pos = 0; pos < s.size(); ++n) NextChunk(s, &pos);
  return n;
}

// natsort.Compare (the version Prometheus vendors): true when `a` precedes
// `b`. Numeric chunks compare as integers, others as bytes. It is not a
// strict order for every input (e.g. "" vs "x" is false both ways), which is
// why callers use it exactly as Prometheus does.
bool NaturalLess(std::string_view a, std::string_view b) {
  const size_t na = CountChunks(a), nb = CountChunks(b);
  size_t pa = 0, pb = 0;
  for (size_t i = 0; i < na; ++i) {
    if (i >= nb) return false;
    const std::string_view ca = NextChunk(a, &pa), cb = NextChunk(b, &pb);
    int64_t ia = 0, ib = 0;
    const bool equal_chunks = ChunkToInt(ca, &ia) && ChunkToInt(cb, &ib) ? ia == ib : ca == cb;
    if (!equal_chunks) {
      if (ChunkToInt(ca, &ia) && ChunkToInt(cb, &ib)) return ia < ib;
      return ca < cb;
    }
    if (i == na - 1) return true;
    if (i == nb - 1) return false;
  }
  return false;
}

// Prometheus's comparison: the listed labels in natural order, then the whole
// label set. Returns <0, 0 or >0.
int CompareByLabels(const Sample& a, const Sample& b, std::span<const FunctionArg> label_args,
                    bool descending) {
  for (const FunctionArg& arg : label_args) {
    const std::string_view va = a.metric.Get(arg.string), vb = b.metric.Get(arg.string);
    if (va == vb) continue;
    const bool less = NaturalLess(va, vb);
    return (less != descending) ? -1 : 1;
  }
  const int c = Compare(a.metric, b.metric);
  return descending ? -c : c;
}

// Go's slices.SortFunc is an insertion sort up to 12 elements; replaying it
// reproduces Prometheus's order even where the comparison is inconsistent.
// Longer inputs use a stable merge sort with the same comparison, which
// matches whenever the comparison is a proper order.
void SortByLabels(std::span<const FunctionArg> args, bool descending, Vector* out) {
  if (args.empty() || args[0].vector == nullptr) return;
  const size_t begin = out->size();
  out->insert(out->end(), args[0].vector->begin(), args[0].vector->end());
  const std::span<const FunctionArg> labels = args.subspan(1);
  auto first = out->begin() + static_cast<std::ptrdiff_t>(begin);
  const size_t n = out->size() - begin;
  if (n <= 12) {
    for (size_t i = 1; i < n; ++i) {
      for (size_t j = i; j > 0 && CompareByLabels(first[j], first[j - 1], labels, descending) < 0;
           --j) {
        std::swap(first[j], first[j - 1]);
      }
    }
    return;
  }
  std::stable_sort(first, out->end(), [&](const Sample& a, const Sample& b) {
    return CompareByLabels(a, b, labels, descending) < 0;
  });
}

absl::Status SortByLabel(std::span<const FunctionArg> args, FunctionContext&, Vector* out) {
  SortByLabels(args, /*descending=*/false, out);
  return absl::OkStatus();
}

absl::Status SortByLabelDesc(std::span<const FunctionArg> args, FunctionContext&, Vector* out) {
  SortByLabels(args, /*descending=*/true, out);
  return absl::OkStatus();
}

constexpr FunctionImpl kLabelFunctions[] = {
    {"label_join", LabelJoin},
    {"label_replace", LabelReplace},
    {"sort_by_label", SortByLabel},
    {"sort_by_label_desc", SortByLabelDesc},
};

}  // namespace

std::span<const FunctionImpl> LabelFunctionImpls() { return kLabelFunctions; }

}  // namespace strata::promql
