// Label matchers: =, !=, =~, !~ with Prometheus semantics.
//
// Regexes have RE2 (Go) syntax and are fully anchored: `a.*` matches "abc"
// but not "xabc". As in Prometheus (which compiles "^(?s:" + re + ")$"), `.`
// also matches a newline, and a byte that is not valid UTF-8 counts as one
// character (Go's regexp reads it as U+FFFD).
//
// A matcher applies to a label's value, where an absent label has the value
// "": {foo=""} matches series without foo, {foo!=""} only series that have it.
//
// Simple regexes take fast paths without running RE2: literals ("abc"),
// alternations of literals ("a|b|c"), a literal with ".*" or ".+" before
// and/or after it ("abc.*", ".*abc", ".+abc.*"), ".*" and ".+". A regex is
// only taken apart when its meaning is certain; anything else runs in RE2.
//
// Thread safety: immutable after construction; copies share the compiled
// regex.
#ifndef STRATA_TSDB_LABELS_MATCHER_H_
#define STRATA_TSDB_LABELS_MATCHER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace strata {

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };
// The PromQL operator of `t`: "=", "!=", "=~" or "!~".
std::string_view MatchTypeOperator(MatchType t);

class Matcher {
 public:
  // Fails with InvalidArgument for a regex that does not compile
  // ("invalid regular expression "(": missing ): (").
  static absl::StatusOr<Matcher> Create(MatchType type, std::string name, std::string value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  bool Matches(std::string_view label_value) const;
  // True when the matcher matches the empty string (so it also selects series
  // that lack the label).
  bool MatchesEmpty() const { return matches_empty_; }
  // For =~ matchers that are a finite set of literals ("a|b|c", "abc"):
  // those literals, so a postings index can look them up directly. Empty
  // otherwise.
  const std::vector<std::string>& SetMatches() const;

  // Renders as Prometheus does: name="value", name=~"regex", …
  std::string ToString() const;

 private:
  struct Compiled;
  Matcher() = default;
  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  bool matches_empty_ = false;
  std::shared_ptr<const Compiled> compiled_;  // null for = and !=
};

}  // namespace strata

#endif  // STRATA_TSDB_LABELS_MATCHER_H_
