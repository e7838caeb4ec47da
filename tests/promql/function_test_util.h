// Helpers for the unit tests of promql/function_impls.h families: look a
// function up in one family's table and build its arguments.
#ifndef STRATA_TESTS_PROMQL_FUNCTION_TEST_UTIL_H_
#define STRATA_TESTS_PROMQL_FUNCTION_TEST_UTIL_H_

#include <initializer_list>
#include <limits>
#include <span>
#include <string_view>

#include "gtest/gtest.h"
#include "promql/function_impls.h"

namespace strata::promql::testing {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline const double kNaN = std::numeric_limits<double>::quiet_NaN();

// The function `name` of `family`; a test failure (and an empty entry) when
// the family has none.
inline const FunctionImpl& FindImpl(std::span<const FunctionImpl> family, std::string_view name) {
  for (const FunctionImpl& f : family) {
    if (f.name == name) return f;
  }
  ADD_FAILURE() << "no function " << name;
  static const FunctionImpl kNone;
  return kNone;
}

inline FunctionArg VectorArg(const Vector* v) {
  FunctionArg a;
  a.vector = v;
  return a;
}

inline FunctionArg ScalarArg(double s) {
  FunctionArg a;
  a.scalar = s;
  return a;
}

// A sample at t=0 with the given name/value label pairs.
inline Sample S(std::initializer_list<std::string_view> labels, double v) {
  return Sample{Labels::FromStrings(labels), 0, v, false};
}

}  // namespace strata::promql::testing

#endif  // STRATA_TESTS_PROMQL_FUNCTION_TEST_UTIL_H_
