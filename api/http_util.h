// Request parsing and response envelopes shared by Strata's Prometheus-
// compatible HTTP endpoints. Everything here reproduces what Prometheus's
// web/api/v1 (and the Go standard library under it) does, message texts
// included, so clients see the same errors from Strata as from Prometheus.
//
// Thread safety: free functions are reentrant; FormValues and ApiSuccess are
// plain values (one per request).
#ifndef STRATA_API_HTTP_UTIL_H_
#define STRATA_API_HTTP_UTIL_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/json_writer.h"
#include "httplib.h"

namespace strata::api {

// Form values in Go's r.Form order: for a POST with an urlencoded body, the
// body's values first, then the URL query's; repeated keys keep every value.
class FormValues {
 public:
  void Add(std::string key, std::string value) {
    values_.emplace_back(std::move(key), std::move(value));
  }
  // The first value of `key`, "" when absent (Go's r.FormValue).
  std::string_view Get(std::string_view key) const;
  // Every value of `key`, in order (Go's r.Form[key]).
  std::vector<std::string_view> GetAll(std::string_view key) const;
  size_t size() const { return values_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// Parses application/x-www-form-urlencoded `s` (a query string or a form
// body) into `out` as Go's url.ParseQuery does: pairs split on '&', '+'
// decodes to a space, "%XX" to a byte; a pair with a bad escape or a ';' is
// skipped. Every well-formed pair is added; the first problem is returned as
// InvalidArgument with Go's message ("invalid URL escape \"%zz\"",
// "invalid semicolon separator in query").
absl::Status ParseUrlEncoded(std::string_view s, FormValues* out);

// What a handler needs from a request: the HTTP request, its form values and
// the :name path parameter of /api/v1/label/:name/values.
struct ApiRequest {
  const httplib::Request* http = nullptr;
  FormValues form;
  // The first error met parsing the query string or the body (Go's
  // r.ParseForm error); handlers that call ParseForm in Prometheus report it.
  absl::Status form_error;
  std::string path_name;
};

// Parses a Prometheus API timestamp: Unix seconds with an optional fraction
// ("1700000000.123", rounded to milliseconds as Prometheus rounds), or
// RFC 3339 with optional fractional seconds and a Z or ±hh:mm offset, or the
// two formatted bounds Prometheus's own clients send for "unbounded"
// (kMinTimeFormatted / kMaxTimeFormatted). Returns milliseconds since the
// epoch, or InvalidArgument "cannot parse \"x\" to a valid timestamp".
// (Unlike Go, NaN and ±Inf seconds are refused rather than mapped to garbage,
// and seconds beyond the int64 millisecond range are clamped.)
absl::StatusOr<int64_t> ParsePromTime(std::string_view s);

// Prometheus's API defaults for an absent start / end: its MinTime and
// MaxTime in milliseconds, and their RFC 3339 renderings.
inline constexpr int64_t kApiMinTimeMs = -9223309901257974000;
inline constexpr int64_t kApiMaxTimeMs = 9223309901257974999;
inline constexpr std::string_view kMinTimeFormatted = "-292273086-05-16T16:47:06Z";
inline constexpr std::string_view kMaxTimeFormatted = "292277025-08-18T07:12:54.999999999Z";

// Parses form value `param` as a timestamp, `default_ms` when absent or
// empty. The error reads as Prometheus's: `invalid parameter "start":
// Invalid time value for 'start': cannot parse "x" to a valid timestamp`.
absl::StatusOr<int64_t> ParseTimeParam(const FormValues& form, std::string_view param,
                                       int64_t default_ms);

// Go's strconv.Atoi: optional sign, decimal digits, 64-bit range. Errors are
// Go's: `strconv.Atoi: parsing "x": invalid syntax` / `... value out of range`.
absl::StatusOr<int64_t> ParseGoInt(std::string_view s);

// Prometheus's "limit" parameter: 0 (no limit) when absent; errors
// `invalid parameter "limit": ...` for a non-number or a negative number.
absl::StatusOr<int64_t> ParseLimitParam(const FormValues& form);

// Undoes Prometheus's "U__" value-encoding escape of a label name in a URL
// path (model.UnescapeName with ValueEncodingEscaping): after the "U__"
// prefix, "__" is "_" and "_1f600_" is the rune U+1F600. Returns `name`
// unchanged when it has no prefix or the escape is malformed.
std::string UnescapeLabelName(std::string_view name);

// The message of `s` as a std::string (Debian's absl::string_view is not
// std::string_view, and fmt cannot format it).
inline std::string StatusMessage(const absl::Status& s) { return std::string(s.message()); }

// Prometheus's API error types and the HTTP status each maps to.
enum class ApiErrorType {
  kBadData,        // 400
  kExecution,      // 422
  kCanceled,       // 499
  kTimeout,        // 503
  kUnavailable,    // 503
  kInternal,       // 500
  kNotFound,       // 404
  kNotAcceptable,  // 406
};
std::string_view ApiErrorTypeName(ApiErrorType type);
int ApiErrorHttpStatus(ApiErrorType type);

// Sets `res` to {"status":"error","errorType":...,"error":...} with the
// matching HTTP status and Content-Type application/json.
void RespondApiError(httplib::Response* res, ApiErrorType type, std::string_view message);

// Builds {"status":"success","data":<data>[,"warnings":[...]]}: write
// exactly one value into data(), then Send.
class ApiSuccess {
 public:
  ApiSuccess();
  JsonWriter& data() { return writer_; }
  // Finishes the envelope ("warnings" and "infos" only when non-empty) and
  // moves it into `res` with status 200.
  void Send(httplib::Response* res, std::span<const std::string> warnings = {},
            std::span<const std::string> infos = {});

 private:
  std::string body_;
  JsonWriter writer_;
};

// Sets a plain-text response as Go's http.Error does ("msg\n").
void RespondText(httplib::Response* res, int status, std::string_view message);

}  // namespace strata::api

#endif  // STRATA_API_HTTP_UTIL_H_
