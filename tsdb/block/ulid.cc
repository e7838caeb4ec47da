#include "tsdb/block/ulid.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace strata::block {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr uint64_t kMaxTime = (uint64_t{1} << 48) - 1;

int DecodeChar(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

}  // namespace

UlidGenerator::UlidGenerator(const Clock* clock, uint64_t seed)
    : clock_(clock != nullptr ? clock : &real_clock_),
      rng_(seed != 0 ? seed : (uint64_t{std::random_device()()} << 32 | std::random_device()())) {}

std::string UlidGenerator::Next() {
  int64_t now = clock_->NowMillis();
  uint64_t ms = now < 0 ? 0 : std::min<uint64_t>(static_cast<uint64_t>(now), kMaxTime);
  MutexLock lock(&mu_);
  if (has_last_ && ms <= last_ms_) {
    // Same (or an earlier) millisecond: keep order by incrementing the
    // 80-bit random part; on overflow move to the next millisecond.
    ms = last_ms_;
    if (++last_lo_ == 0 && ++last_hi_ == 0) ms = std::min(ms + 1, kMaxTime);
  } else {
    uint64_t r = rng_();
    last_hi_ = static_cast<uint16_t>(r);
    last_lo_ = rng_();
  }
  has_last_ = true;
  last_ms_ = ms;
  return FormatUlid(ms, last_hi_, last_lo_);
}

std::string NewUlid() {
  static UlidGenerator* gen = new UlidGenerator();
  return gen->Next();
}

std::string FormatUlid(uint64_t ms, uint16_t rand_hi, uint64_t rand_lo) {
  // 128 bits: hi = 48-bit time and top 16 random bits, lo = low 64 bits.
  unsigned __int128 v =
      (static_cast<unsigned __int128>((ms & kMaxTime) << 16 | rand_hi) << 64) | rand_lo;
  std::string out(kUlidLength, '0');
  for (int i = kUlidLength - 1; i >= 0; --i) {
    out[i] = kAlphabet[static_cast<int>(v & 31)];
    v >>= 5;
  }
  return out;
}

absl::StatusOr<int64_t> ParseUlid(std::string_view view) {
  const std::string s(view);  // Debian's absl::StrCat takes no std::string_view
  if (s.size() != kUlidLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ULID \"", s, "\": length ", s.size(), ", want 26"));
  }
  unsigned __int128 v = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    int d = DecodeChar(s[i]);
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid ULID \"", s, "\": character '", std::string(1, s[i]), "' at ", i));
    }
    if (i == 0 && d > 7) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid ULID \"", s, "\": first character above '7' (overflow)"));
    }
    v = v << 5 | static_cast<unsigned>(d);
  }
  return static_cast<int64_t>(static_cast<uint64_t>(v >> 80));
}

}  // namespace strata::block
