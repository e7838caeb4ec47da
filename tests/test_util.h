// Helpers shared by the test binaries.
#ifndef STRATA_TESTS_TEST_UTIL_H_
#define STRATA_TESTS_TEST_UTIL_H_

#include <string>

namespace strata::testing {

// A fresh directory under $TEST_TMPDIR or /tmp, removed (recursively) when
// the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace strata::testing

#endif  // STRATA_TESTS_TEST_UTIL_H_
