// Decompression of snappy block-format request bodies (remote write, remote
// read) into a reusable buffer, refusing oversized bodies before allocating.
//
// Thread safety: the functions are thread-safe; a DecodedBuffer is used by
// one thread at a time.
#ifndef STRATA_API_SNAPPY_BODY_H_
#define STRATA_API_SNAPPY_BODY_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace strata::api {

// A growable byte buffer that keeps its capacity across uses and, unlike
// std::string::resize, does not zero-fill what the decompressor overwrites.
class DecodedBuffer {
 public:
  // Makes room for `n` bytes, discarding the contents; size() becomes n.
  char* Reset(size_t n);
  // Frees the storage if it holds more than `max_kept` bytes, so one huge
  // request does not pin memory in a pooled buffer forever.
  void Shrink(size_t max_kept);
  std::string_view view() const { return {data_.get(), size_}; }
  size_t capacity() const { return capacity_; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

enum class SnappyResult {
  kOk,
  kTooLarge,  // the declared length exceeds the limit (HTTP 413)
  kCorrupt,   // not a valid snappy block (HTTP 400)
};

// Decompresses the snappy block `compressed` into `*out`. The declared
// uncompressed length is checked against `max_decoded_bytes` (kTooLarge), and
// against the largest expansion the block format allows (kCorrupt), before
// anything is allocated, so a decompression bomb costs nothing. On an error,
// `*message` says why (for the HTTP response body); the framed snappy format
// is recognised and named.
SnappyResult DecodeSnappyBlock(std::string_view compressed, size_t max_decoded_bytes,
                               DecodedBuffer* out, std::string* message);

}  // namespace strata::api

#endif  // STRATA_API_SNAPPY_BODY_H_
