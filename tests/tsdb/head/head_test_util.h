// Helpers for head and DB tests: read everything a querier returns.
#ifndef STRATA_TESTS_TSDB_HEAD_HEAD_TEST_UTIL_H_
#define STRATA_TESTS_TSDB_HEAD_HEAD_TEST_UTIL_H_

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tsdb/storage.h"

namespace strata::testing {

struct Sample {
  int64_t t;
  double v;
  friend bool operator==(const Sample& a, const Sample& b) {
    return a.t == b.t && std::memcmp(&a.v, &b.v, sizeof a.v) == 0;  // bit-exact
  }
  friend std::ostream& operator<<(std::ostream& os, const Sample& s) {
    return os << "(" << s.t << ", " << s.v << ")";
  }
};

// Series (by Labels::ToString) -> samples, for everything `matchers` select.
inline std::map<std::string, std::vector<Sample>> ReadAll(Querier& q,
                                                          std::vector<Matcher> matchers) {
  std::map<std::string, std::vector<Sample>> out;
  auto set = q.Select(matchers);
  while (set->Next()) {
    std::string key = set->labels().ToString();
    auto it = set->Iterator();
    auto& samples = out[key];
    while (it->Next()) samples.push_back({it->t(), it->v()});
    EXPECT_TRUE(it->status().ok()) << it->status();
  }
  EXPECT_TRUE(set->status().ok()) << set->status();
  return out;
}

inline Matcher M(MatchType type, std::string name, std::string value) {
  auto m = Matcher::Create(type, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_TSDB_HEAD_HEAD_TEST_UTIL_H_
