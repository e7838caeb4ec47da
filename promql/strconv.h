// Conversions between PromQL text and values that follow Go's strconv and
// prometheus/common/model exactly, because Prometheus's lexer and parser use
// those and their results and error messages are part of what users see
// (`error parsing number: strconv.ParseFloat: parsing "1e999": value out of
// range`, `unknown escape sequence U+0071 'q'`).
//
// Thread safety: all functions are thread-safe.
#ifndef STRATA_PROMQL_STRCONV_H_
#define STRATA_PROMQL_STRCONV_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace strata::promql {

// Decodes the rune at the start of `s` as Go's utf8.DecodeRuneInString:
// {rune, width in bytes}. An invalid or overlong sequence, a surrogate or a
// value above U+10FFFF yields {U+FFFD, 1}; an empty `s` yields {-1, 0}.
std::pair<int32_t, int> DecodeRune(std::string_view s);

// Go's %q of a rune ('a', '\n', '\''); an invalid rune (including -1, Go's
// end-of-input marker) prints as U+FFFD, as in Go.
std::string GoQuoteRune(int32_t r);

// Go's %#U: "U+0078 'x'", or "U+000A" for a rune that is not printable.
std::string GoFormatUnicode(int32_t r);

// Go's %.Nq: the first `runes` runes of `s`, double-quoted and escaped.
std::string GoQuotePrefix(std::string_view s, int runes);

// The value of a PromQL string literal ("…", '…' or `…`), unescaped as
// Prometheus's strutil.Unquote does: Go's strconv.Unquote, except that
// single-quoted strings may hold any number of characters. \xNN and octal
// escapes produce single bytes, which need not form valid UTF-8. Fails with
// InvalidArgument("invalid syntax").
absl::StatusOr<std::string> Unquote(std::string_view quoted);

// A PromQL number literal as Prometheus's parser reads it: Go's
// strconv.ParseInt(s, 0, 64) (decimal, 0x hex, leading-0 octal, '_'
// separators), and when that fails strconv.ParseFloat(s, 64) (decimal with
// fraction and exponent, Inf, NaN). Errors carry Go's text:
// `strconv.ParseFloat: parsing "<s>": invalid syntax` or `…: value out of
// range` (overflow only; underflow rounds to zero, as in Go).
absl::StatusOr<double> ParseNumber(std::string_view s);

// Parses a duration as Prometheus's model.ParseDuration: one or more
// <digits><unit> with units y, w, d, h, m, s, ms in decreasing order
// ("1h30m", "5m", "1y2w", "500ms"), or "0"; a year is 365 days. Errors carry
// Prometheus's messages: `not a valid duration string: "5m1h"`, `unknown unit
// "hs" in duration "5y1hs"`, "duration out of range", "empty duration
// string".
absl::StatusOr<absl::Duration> ParseDuration(std::string_view s);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_STRCONV_H_
