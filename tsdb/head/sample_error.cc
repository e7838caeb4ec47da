// SampleError helpers declared in tsdb/storage.h.
#include <string>

#include "absl/strings/cord.h"
#include "tsdb/storage.h"

namespace strata {
namespace {

constexpr char kPayloadUrl[] = "strata.dev/sample-error";

}  // namespace

std::string_view SampleErrorName(SampleError e) {
  switch (e) {
    case SampleError::kNone:
      return "ok";
    case SampleError::kOutOfOrder:
      return "out of order sample";
    case SampleError::kDuplicate:
      return "duplicate sample for timestamp";
    case SampleError::kTooOld:
      return "out of bounds: too old";
    case SampleError::kTooFarInFuture:
      return "out of bounds: too far in the future";
    case SampleError::kInvalidLabels:
      return "invalid labels";
  }
  return "unknown";
}

absl::Status MakeSampleError(SampleError e, std::string_view detail) {
  absl::Status s = absl::InvalidArgumentError(std::string(detail));
  s.SetPayload(kPayloadUrl, absl::Cord(std::string(1, static_cast<char>(e))));
  return s;
}

SampleError SampleErrorOf(const absl::Status& s) {
  auto payload = s.GetPayload(kPayloadUrl);
  if (!payload || payload->size() != 1) return SampleError::kNone;
  return static_cast<SampleError>(static_cast<uint8_t>(payload->Flatten()[0]));
}

}  // namespace strata
