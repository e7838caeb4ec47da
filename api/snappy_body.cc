#include "api/snappy_body.h"

#include <snappy.h>

#include "fmt/format.h"

namespace strata::api {
namespace {

// The stream identifier chunk that starts every framed-format stream.
constexpr std::string_view kFramedMagic("\xff\x06\x00\x00sNaPpY", 10);

// The block format's densest element is a copy of 64 bytes encoded in 3 bytes
// (a 2-byte-offset copy), so no valid block expands by more than 64/3. A
// larger declared length is a lie, refused without allocating it.
size_t MaxExpansion(size_t compressed) { return compressed / 3 * 64 + 64; }

}  // namespace

char* DecodedBuffer::Reset(size_t n) {
  if (n > capacity_ || data_ == nullptr) {
    // Grow geometrically so a slowly growing request size does not
    // reallocate on every request.
    size_t cap = capacity_ == 0 ? 4096 : capacity_;
    while (cap < n) cap *= 2;
    data_.reset(new char[cap]);
    capacity_ = cap;
  }
  size_ = n;
  return data_.get();
}

void DecodedBuffer::Shrink(size_t max_kept) {
  if (capacity_ > max_kept) {
    data_.reset();
    capacity_ = 0;
    size_ = 0;
  }
}

SnappyResult DecodeSnappyBlock(std::string_view compressed, size_t max_decoded_bytes,
                               DecodedBuffer* out, std::string* message) {
  if (compressed.starts_with(kFramedMagic)) {
    *message = "snappy: body uses the framed format; remote write requires the block format";
    return SnappyResult::kCorrupt;
  }
  size_t declared = 0;
  if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(), &declared)) {
    *message = "snappy: corrupt input: bad length preamble";
    return SnappyResult::kCorrupt;
  }
  if (declared > max_decoded_bytes) {
    *message = fmt::format("decoded body of {} bytes exceeds the limit of {} bytes", declared,
                           max_decoded_bytes);
    return SnappyResult::kTooLarge;
  }
  if (declared > MaxExpansion(compressed.size())) {
    *message = fmt::format("snappy: corrupt input: {} compressed bytes cannot hold {} bytes",
                           compressed.size(), declared);
    return SnappyResult::kCorrupt;
  }
  char* dst = out->Reset(declared);
  if (!snappy::RawUncompress(compressed.data(), compressed.size(), dst)) {
    *message = "snappy: corrupt input";
    return SnappyResult::kCorrupt;
  }
  return SnappyResult::kOk;
}

}  // namespace strata::api
