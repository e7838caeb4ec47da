// ULIDs: block identifiers. 128 bits, a 48-bit Unix time in milliseconds then
// 80 random bits, as 26 upper-case Crockford base32 characters
// (docs/format/block.md, "ULIDs"). Their text order is their time order.
//
//   UlidGenerator gen;                     // real clock, random seed
//   std::string id = gen.Next();           // "01J…"
//   ASSIGN_OR_RETURN(int64_t ms, ParseUlid(id));
//
// Thread safety: UlidGenerator and NewUlid are safe for concurrent use.
#ifndef STRATA_TSDB_BLOCK_ULID_H_
#define STRATA_TSDB_BLOCK_ULID_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "tsdb/base/clock.h"
#include "tsdb/base/mutex.h"

namespace strata::block {

inline constexpr size_t kUlidLength = 26;

// Makes ULIDs that are strictly increasing for this generator: when the clock
// has not advanced past the previous ULID's millisecond (or went backwards),
// the previous ULID's time is kept and its random part incremented.
class UlidGenerator {
 public:
  // `clock` is not owned and must outlive the generator; null means the real
  // clock. `seed` 0 seeds from std::random_device; others make the random
  // parts reproducible (tests).
  explicit UlidGenerator(const Clock* clock = nullptr, uint64_t seed = 0);
  std::string Next();

 private:
  const Clock* const clock_;
  RealClock real_clock_;
  Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  bool has_last_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t last_ms_ ABSL_GUARDED_BY(mu_) = 0;
  uint16_t last_hi_ ABSL_GUARDED_BY(mu_) = 0;  // random bits 79..64
  uint64_t last_lo_ ABSL_GUARDED_BY(mu_) = 0;  // random bits 63..0
};

// A ULID from the process-wide generator (real clock).
std::string NewUlid();

// The text of the ULID with time `ms` (< 2^48) and random part
// `rand_hi` (top 16 bits) and `rand_lo` (low 64 bits).
std::string FormatUlid(uint64_t ms, uint16_t rand_hi, uint64_t rand_lo);

// The timestamp (ms) of ULID `s`, or InvalidArgument naming the problem:
// wrong length, a character outside the upper-case Crockford alphabet, or a
// value above 2^128 - 1 (first character above '7').
absl::StatusOr<int64_t> ParseUlid(std::string_view s);
inline bool IsUlid(std::string_view s) { return ParseUlid(s).ok(); }

}  // namespace strata::block

#endif  // STRATA_TSDB_BLOCK_ULID_H_
