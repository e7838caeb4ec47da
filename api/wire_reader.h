// WireReader: a thin, inlined layer over protobuf's CodedInputStream for
// decoders that walk the wire format of a flat buffer themselves (remote
// write), handing out string_views into the buffer instead of copies.
//
//   WireReader r(body);
//   while (uint32_t tag = r.ReadTag()) { switch (tag) { ... } }
//   if (!r.AtEnd()) …malformed…
//
// Sub-messages: Enter() reads a length prefix and makes ReadTag stop at its
// end; Leave() returns to the enclosing message. Enter checks the length
// against the enclosing message, so a truncated sub-message is an error
// rather than silently shortened.
//
// Why not CodedInputStream::PushLimit: it and PopLimit are out-of-line calls,
// and every ReadTag at a limit takes the slow path; with one sub-message per
// label and per sample that was a third of the decoding time. Instead the
// reader tracks the current message's end itself and checks, once the
// message is read, that no field ran past it. Reads never leave the buffer
// (CodedInputStream bounds them); a field that overruns its message only
// reads bytes of the next one, and AtEnd() then reports the message as
// malformed.
//
// Thread safety: none; one reader per thread. Lifetime: the buffer must
// outlive the reader and the views it returns.
#ifndef STRATA_API_WIRE_READER_H_
#define STRATA_API_WIRE_READER_H_

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace strata::api {

using WireType = google::protobuf::internal::WireFormatLite::WireType;
inline constexpr WireType kVarint = google::protobuf::internal::WireFormatLite::WIRETYPE_VARINT;
inline constexpr WireType kFixed64 = google::protobuf::internal::WireFormatLite::WIRETYPE_FIXED64;
inline constexpr WireType kLengthDelimited =
    google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED;

constexpr uint32_t WireTag(uint32_t field, WireType type) { return field << 3 | type; }
constexpr uint32_t FieldOf(uint32_t tag) { return tag >> 3; }

class WireReader {
 public:
  // REQUIRES: buf.size() < 2 GiB (CodedInputStream counts in int).
  explicit WireReader(std::string_view buf)
      : base_(buf.data()),
        in_(reinterpret_cast<const uint8_t*>(buf.data()), static_cast<int>(buf.size())),
        end_(static_cast<int>(buf.size())) {}

  // The next field's tag, or 0 at the end of the current (sub-)message, on
  // an invalid tag or on a field that overran the message (AtEnd tells
  // which).
  uint32_t ReadTag() {
    if (position() >= end_) return 0;
    uint32_t tag = in_.ReadTagNoLastTag();
    if (tag == 0) bad_ = true;
    return tag;
  }
  // After ReadTag returned 0: whether the current message ended exactly
  // where its length said, with valid tags throughout.
  bool AtEnd() const { return !bad_ && position() == end_; }

  int position() const { return in_.CurrentPosition(); }
  // Bytes left in the current (sub-)message; for packed repeated fields.
  int remaining() const { return end_ - position(); }
  const char* base() const { return base_; }

  bool ReadVarint32(uint32_t* v) { return in_.ReadVarint32(v); }
  bool ReadVarint64(uint64_t* v) { return in_.ReadVarint64(v); }
  bool ReadInt64(int64_t* v) {
    uint64_t u;
    if (!in_.ReadVarint64(&u)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  // A fixed64 field holding a double, bit-exact (NaN payloads included).
  bool ReadDouble(double* v) {
    uint64_t bits;
    if (!in_.ReadLittleEndian64(&bits)) return false;
    std::memcpy(v, &bits, sizeof bits);
    return true;
  }
  // A length-delimited field's bytes, without copying.
  bool ReadBytes(std::string_view* out) {
    uint32_t len;
    if (!in_.ReadVarint32(&len)) return false;
    int pos = position();
    if (len > static_cast<uint32_t>(end_ - pos)) return false;
    *out = std::string_view(base_ + pos, len);
    return in_.Skip(static_cast<int>(len));
  }

  // Saved state of the enclosing message, for Leave.
  struct Frame {
    int end;
  };
  // Enters a length-delimited sub-message. False if the length is unreadable
  // or runs past the enclosing message.
  bool Enter(Frame* frame) {
    uint32_t len;
    if (!in_.ReadVarint32(&len)) return false;
    int pos = position();
    if (len > static_cast<uint32_t>(end_ - pos)) return false;
    frame->end = end_;
    end_ = pos + static_cast<int>(len);
    return true;
  }
  // REQUIRES: the sub-message was read to its end (ReadTag returned 0 and
  // AtEnd() was true).
  void Leave(const Frame& frame) { end_ = frame.end; }

  // Skips a field this decoder does not know. False if it is malformed.
  bool SkipField(uint32_t tag) {
    return google::protobuf::internal::WireFormatLite::SkipField(&in_, tag);
  }
  // Skips the rest of the current sub-message, checking that it is well
  // formed. True at its legitimate end.
  bool SkipRest() {
    while (uint32_t tag = ReadTag()) {
      if (!SkipField(tag)) return false;
    }
    return AtEnd();
  }

 private:
  const char* base_;
  google::protobuf::io::CodedInputStream in_;
  int end_;           // position where the current (sub-)message ends
  bool bad_ = false;  // ReadTag met an invalid tag
};

}  // namespace strata::api

#endif  // STRATA_API_WIRE_READER_H_
