// A small streaming JSON writer that produces exactly the bytes Prometheus's
// HTTP API produces (Go's encoding/json and jsoniter's standard-library
// compatible configuration), so Strata's responses are byte-compatible.
//
//   std::string out;
//   JsonWriter w(&out);
//   w.BeginObject();
//   w.Key("status"); w.String("success");
//   w.Key("data"); w.BeginArray(); w.SampleValue(1.5); w.EndArray();
//   w.EndObject();                       // {"status":"success","data":["1.5"]}
//
// Strings are escaped as Go escapes them: `"` and `\` with a backslash; \n,
// \r and \t in short form; other control bytes as \u00XX (lowercase hex);
// '<', '>' and '&' as \u003c, \u003e, \u0026 (Go's HTML-safe default);
// U+2028 and U+2029 as \u2028 and \u2029; every byte that is not part of
// valid UTF-8 as \ufffd. Everything else is copied unchanged.
//
// Commas and colons are inserted automatically. The writer does not check
// that calls nest correctly (keys only inside objects, balanced Begin/End):
// that is the caller's job, and tests cover each response shape.
//
// Thread safety: none; one writer per response. The writer appends to the
// string passed in, which must outlive it.
#ifndef STRATA_API_JSON_WRITER_H_
#define STRATA_API_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::api {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // An object key; the next value call supplies its value.
  void Key(std::string_view key);

  void String(std::string_view s);
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Bool(bool v);
  void Null();
  // A sample value as Prometheus writes it: a JSON string holding
  // FormatPromFloat(v), e.g. "1.5", "NaN", "+Inf", "1e-07".
  void SampleValue(double v);
  // A millisecond timestamp as Prometheus writes it: seconds as a JSON
  // number with exactly three decimals when the milliseconds are not zero
  // (1500 -> 1.500, 1000 -> 1, -1 -> -0.001).
  void Timestamp(int64_t ms);
  // A sample as Prometheus writes it: [Timestamp(ms), SampleValue(v)].
  void Point(int64_t ms, double v);
  // Pre-encoded JSON, inserted verbatim as one value.
  void Raw(std::string_view json);

  std::string* out() { return out_; }

 private:
  // Writes the separator owed before a value at the current nesting level.
  void BeforeValue();

  std::string* out_;
  // Per open container: whether a value has been written into it already.
  std::vector<bool> has_value_;
  bool after_key_ = false;
};

// Appends `s` as a quoted JSON string with Go's escaping (see above).
void AppendJsonString(std::string* out, std::string_view s);

// Appends `v` formatted as Prometheus formats sample values: Go's
// strconv.FormatFloat(v, 'f', -1, 64) — the shortest decimal that
// round-trips, in fixed notation — except that 'e' notation is used when
// |v| < 1e-6 or |v| >= 1e21 (v != 0), giving e.g. "1e-07" and "1.5e+21".
// NaN, +Inf and -Inf become "NaN", "+Inf" and "-Inf"; -0 becomes "-0".
void AppendPromFloat(std::string* out, double v);
std::string FormatPromFloat(double v);

// Appends a millisecond timestamp as Prometheus writes it (see
// JsonWriter::Timestamp).
void AppendPromTimestamp(std::string* out, int64_t ms);

}  // namespace strata::api

#endif  // STRATA_API_JSON_WRITER_H_
