// Small string helpers for the PromQL test-script runner. They exist because
// this Abseil's absl::string_view is a type of its own, not std::string_view,
// so absl::StrCat & co. do not take the std::string_view this code uses.
//
// Thread safety: pure functions.
#ifndef STRATA_TESTS_PROMQL_PROMQLTEST_TEXT_UTIL_H_
#define STRATA_TESTS_PROMQL_PROMQLTEST_TEXT_UTIL_H_

#include <concepts>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace strata::promqltest {
namespace text_internal {
inline std::string_view Piece(std::string_view s) { return s; }
inline std::string_view Piece(const std::string& s) { return s; }
inline std::string_view Piece(const char* s) { return s; }
inline std::string_view Piece(absl::string_view s) { return {s.data(), s.size()}; }
template <std::integral T>
std::string Piece(T v) {
  return std::to_string(v);
}
}  // namespace text_internal

// Concatenates strings, string views and integers.
template <typename... A>
std::string Cat(const A&... a) {
  std::string out;
  (out.append(text_internal::Piece(a)), ...);
  return out;
}

// A status's message as a std::string_view.
inline std::string_view Message(const absl::Status& s) {
  return {s.message().data(), s.message().size()};
}

// Without leading and trailing ASCII whitespace.
inline std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

}  // namespace strata::promqltest

#endif  // STRATA_TESTS_PROMQL_PROMQLTEST_TEXT_UTIL_H_
