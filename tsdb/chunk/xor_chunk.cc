#include "tsdb/chunk/xor_chunk.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "tsdb/base/bit_stream.h"
#include "tsdb/base/coding.h"

namespace strata {
namespace {

// Keep the per-series footprint of the head small (DESIGN.md, memory per series).
static_assert(sizeof(XorAppender) <= 64, "XorAppender is held once per active series");

constexpr uint32_t kHeaderBytes = 2;
constexpr uint32_t kInitialCapacity = 32;
// Worst case bits of one XOR value record: '11' + 5 + 6 + 64.
constexpr int kMaxValueBits = 2 + 5 + 6 + 64;

constexpr uint8_t kEmptyChunk[kHeaderBytes] = {0, 0};

// True if `dod` fits the signed `nbits` bucket as Prometheus defines it:
// -(2^(n-1) - 1) <= dod <= 2^(n-1). The asymmetric range is part of the
// format; keeping it makes our chunks byte-identical to Prometheus's.
constexpr bool FitsBucket(int64_t dod, int nbits) {
  return dod >= -((int64_t{1} << (nbits - 1)) - 1) && dod <= (int64_t{1} << (nbits - 1));
}

// Writes `v` as an unsigned LEB128 at a byte-aligned position of `w`.
void WriteUvarint(BitWriter& w, uint64_t v) {
  while (v >= 0x80) {
    w.WriteBits((v & 0x7f) | 0x80, 8);
    v >>= 7;
  }
  w.WriteBits(v, 8);
}

// The record for one value given the previous value and XOR window.
struct ValueRecord {
  uint64_t xor_bits;
  int leading;  // window of a new '11' record (unused otherwise)
  int trailing;
  int nbits;  // total record bits
  bool reuse;
};

ValueRecord EncodeValue(uint64_t prev, uint64_t cur, uint8_t leading, uint8_t trailing) {
  ValueRecord r{prev ^ cur, 0, 0, 1, false};
  if (r.xor_bits == 0) return r;
  // Five bits hold the leading-zero count, so it saturates at 31.
  // (xor_bits != 0, so the builtins are defined.)
  const int lead = std::min(__builtin_clzll(r.xor_bits), 31);
  const int trail = __builtin_ctzll(r.xor_bits);
  if (leading != 0xff && lead >= leading && trail >= trailing) {
    r.reuse = true;
    r.nbits = 2 + (64 - leading - trailing);
  } else {
    r.leading = lead;
    r.trailing = trail;
    r.nbits = 2 + 5 + 6 + (64 - lead - trail);
  }
  return r;
}

}  // namespace

// ---------------------------------------------------------------- appender

XorAppender::XorAppender(XorAppender&& o) noexcept { *this = std::move(o); }

XorAppender& XorAppender::operator=(XorAppender&& o) noexcept {
  if (this == &o) return *this;
  std::free(buf_);
  buf_ = o.buf_;
  cap_ = o.cap_;
  bit_len_ = o.bit_len_;
  t_ = o.t_;
  first_t_ = o.first_t_;
  t_delta_ = o.t_delta_;
  v_bits_ = o.v_bits_;
  count_ = o.count_;
  leading_ = o.leading_;
  trailing_ = o.trailing_;
  o.buf_ = nullptr;
  o.cap_ = 0;
  o.bit_len_ = 0;
  o.count_ = 0;
  o.leading_ = 0xff;
  return *this;
}

XorAppender::~XorAppender() { std::free(buf_); }

std::span<const uint8_t> XorAppender::bytes() const {
  if (count_ == 0) return {kEmptyChunk, kHeaderBytes};
  return {buf_, (bit_len_ + 7) / 8};
}

void XorAppender::Reserve(uint64_t bits) {
  const uint64_t need = (bits + 7) / 8;
  if (need <= cap_) return;
  uint64_t cap = cap_ == 0 ? kInitialCapacity : cap_ + cap_ / 2;
  if (cap < need) cap = need;
  auto* p = static_cast<uint8_t*>(std::realloc(buf_, cap));
  if (p == nullptr) std::abort();  // out of memory; the engine does not recover from it
  buf_ = p;
  cap_ = static_cast<uint32_t>(cap);
}

void XorAppender::ShrinkToFit() {
  const uint32_t used = (bit_len_ + 7) / 8;
  if (used == cap_) return;
  if (used == 0) {
    std::free(buf_);
    buf_ = nullptr;
    cap_ = 0;
    return;
  }
  auto* p = static_cast<uint8_t*>(std::realloc(buf_, used));
  if (p == nullptr) return;  // keeping the larger buffer is fine
  buf_ = p;
  cap_ = used;
}

void XorAppender::AppendFirst(int64_t t, uint64_t v_bits) {
  // Header, zig-zag varint timestamp (<= 10 bytes), raw value.
  Reserve(8 * (kHeaderBytes + 10 + 8));
  BitWriter w(buf_, cap_, 8 * kHeaderBytes);
  WriteUvarint(w, (static_cast<uint64_t>(t) << 1) ^ static_cast<uint64_t>(t >> 63));
  w.WriteBits(v_bits, 64);
  bit_len_ = static_cast<uint32_t>(w.bit_pos());
  first_t_ = t;
}

void XorAppender::AppendSecond(int64_t t, uint64_t v_bits) {
  // The first sample ends on a byte boundary, so the uvarint is byte-aligned.
  const uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
  Reserve(bit_len_ + 8 * 10 + kMaxValueBits);
  BitWriter w(buf_, cap_, bit_len_);
  WriteUvarint(w, delta);
  const ValueRecord r = EncodeValue(v_bits_, v_bits, leading_, trailing_);
  if (r.xor_bits == 0) {
    w.WriteBit(false);
  } else {
    // No window exists yet, so this is always a '11' record.
    const int sig = 64 - r.leading - r.trailing;
    w.WriteBits((0b11u << 11) | (static_cast<unsigned>(r.leading) << 6) | (sig & 63), 13);
    w.WriteBits(r.xor_bits >> r.trailing, sig);
    leading_ = static_cast<uint8_t>(r.leading);
    trailing_ = static_cast<uint8_t>(r.trailing);
  }
  bit_len_ = static_cast<uint32_t>(w.bit_pos());
  t_delta_ = delta;
}

void XorAppender::Append(int64_t t, double v) {
  assert(count_ < kMaxSamples);
  if (count_ >= kMaxSamples) return;
  uint64_t v_bits;
  std::memcpy(&v_bits, &v, sizeof v_bits);

  if (count_ == 0) {
    AppendFirst(t, v_bits);
  } else if (count_ == 1) {
    AppendSecond(t, v_bits);
  } else {
    // Unsigned arithmetic: wraps instead of overflowing on extreme inputs,
    // and the decoder wraps the same way.
    const uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    const int64_t dod = static_cast<int64_t>(delta - t_delta_);
    uint64_t ts_code;  // prefix and payload in one word, except the 64-bit bucket
    int ts_bits;
    if (dod == 0) {
      ts_code = 0;
      ts_bits = 1;
    } else if (FitsBucket(dod, 14)) {
      ts_code = (uint64_t{0b10} << 14) | (static_cast<uint64_t>(dod) & 0x3fff);
      ts_bits = 16;
    } else if (FitsBucket(dod, 17)) {
      ts_code = (uint64_t{0b110} << 17) | (static_cast<uint64_t>(dod) & 0x1ffff);
      ts_bits = 20;
    } else if (FitsBucket(dod, 20)) {
      ts_code = (uint64_t{0b1110} << 20) | (static_cast<uint64_t>(dod) & 0xfffff);
      ts_bits = 24;
    } else {
      ts_code = 0b1111;
      ts_bits = 4 + 64;
    }
    const ValueRecord r = EncodeValue(v_bits_, v_bits, leading_, trailing_);

    Reserve(uint64_t{bit_len_} + ts_bits + r.nbits);
    BitWriter w(buf_, cap_, bit_len_);
    if (ts_bits <= 24) {
      w.WriteBits(ts_code, ts_bits);
    } else {
      w.WriteBits(ts_code, 4);
      w.WriteBits(static_cast<uint64_t>(dod), 64);
    }
    if (r.xor_bits == 0) {
      w.WriteBit(false);
    } else if (r.reuse) {
      w.WriteBits(0b10, 2);
      w.WriteBits(r.xor_bits >> trailing_, 64 - leading_ - trailing_);
    } else {
      const int sig = 64 - r.leading - r.trailing;
      // A 6-bit field: 64 significant bits are written as 0.
      w.WriteBits((0b11u << 11) | (static_cast<unsigned>(r.leading) << 6) | (sig & 63), 13);
      w.WriteBits(r.xor_bits >> r.trailing, sig);
      leading_ = static_cast<uint8_t>(r.leading);
      trailing_ = static_cast<uint8_t>(r.trailing);
    }
    bit_len_ = static_cast<uint32_t>(w.bit_pos());
    t_delta_ = delta;
  }
  t_ = t;
  v_bits_ = v_bits;
  ++count_;
  // Keep the header current so bytes() is a complete chunk after every append.
  buf_[0] = static_cast<uint8_t>(count_ >> 8);
  buf_[1] = static_cast<uint8_t>(count_);
}

uint16_t XorNumSamples(std::span<const uint8_t> chunk) {
  if (chunk.size() < kHeaderBytes) return 0;
  return static_cast<uint16_t>((chunk[0] << 8) | chunk[1]);
}

// ---------------------------------------------------------------- iterator

void XorIterator::Reset(std::span<const uint8_t> chunk) {
  br_.Reset({});
  data_ = chunk.data();
  size_ = static_cast<uint32_t>(std::min<size_t>(chunk.size(), UINT32_MAX));
  fast_left_ = 0;
  second_pos_ = 0;
  started_ = 0;
  done_ = false;
  sig_ = 64;  // a '10' record before any '11' one reuses a full-width window
  trailing_ = 0;
  t_ = 0;
  t_delta_ = 0;
  v_bits_ = 0;
  status_ = absl::OkStatus();
  total_ = XorNumSamples(chunk);
  if (chunk.size() < kHeaderBytes) {
    Fail(absl::StrCat(chunk.size(), " bytes, shorter than the 2-byte header"));
  }
}

bool XorIterator::Fail(absl::string_view what) {
  const uint32_t index = started_ < 2 ? started_ : sample_index();
  status_ = absl::DataLossError(
      absl::StrCat("xor chunk: ", what, " (sample ", index, " of ", total_, ")"));
  fast_left_ = 0;
  done_ = true;
  return false;
}

bool XorIterator::NextSlow() {
  if (done_) return false;
  if (started_ == 0 && total_ > 0) return ReadFirst();
  if (started_ == 1 && total_ > 1) return ReadSecond();
  done_ = true;
  return false;
}

bool XorIterator::ReadFirst() {
  Decoder d(std::string_view(reinterpret_cast<const char*>(data_), size_).substr(kHeaderBytes));
  const int64_t t = d.Varint();
  const std::string_view v = d.Bytes(8);
  if (!d.ok()) return Fail("first sample truncated");
  t_ = t;
  v_bits_ = LoadBigEndian64(reinterpret_cast<const uint8_t*>(v.data()));
  second_pos_ = static_cast<uint32_t>(size_ - d.remaining());
  started_ = 1;
  return true;
}

bool XorIterator::ReadSecond() {
  // The first sample ends byte-aligned, so the delta is a plain uvarint.
  Decoder d(std::string_view(reinterpret_cast<const char*>(data_), size_).substr(second_pos_));
  const uint64_t delta = d.Uvarint();
  if (!d.ok()) return Fail("second timestamp truncated");
  const size_t pos = size_ - d.remaining();
  br_.Reset({data_ + pos, size_ - pos});
  br_.Refill();
  if ((br_.Window() >> 63) == 0) {
    br_.Consume(1);
  } else {
    Cursor c = cursor();
    if (!DecodeValue(br_, c)) return Fail("xor window out of range");
    set_cursor(c);
  }
  if (!br_.ok()) return Fail("second value truncated");
  t_delta_ = delta;
  t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + delta);
  started_ = 2;
  fast_left_ = total_ - 2;
  return true;
}

bool XorIterator::FailStep(Step step) {
  return Fail(step == Step::kTruncated ? "truncated" : "xor window out of range");
}

bool XorIterator::Seek(int64_t t) {
  if (done_) return false;
  if (started_ > 0 && t_ >= t) return true;
  while (fast_left_ == 0) {  // the first two samples, or the end
    if (!Next()) return false;
    if (t_ >= t) return true;
  }
  // Skips samples with the state in locals, stored back once.
  BitReader r = br_;
  Cursor c = cursor();
  uint32_t left = fast_left_;
  Step step = Step::kOk;
  bool found = false;
  while (left > 0) {
    --left;
    step = DecodeNext(r, c);
    if (step != Step::kOk || c.t >= t) {
      found = step == Step::kOk;
      break;
    }
  }
  br_ = r;
  set_cursor(c);
  fast_left_ = left;
  if (step != Step::kOk) return FailStep(step);
  if (found) return true;
  done_ = true;  // every sample is before t
  return false;
}

size_t XorIterator::ReadBatch(int64_t maxt, TimedValue* out, size_t cap, bool* positioned) {
  size_t n = 0;
  *positioned = true;
  // The first two samples and the last one go through Next.
  while (started_ < 2 || fast_left_ == 0) {
    if (t_ > maxt || n == cap) return n;
    out[n++] = TimedValue{t_, v()};
    if (!Next()) {
      *positioned = false;
      return n;
    }
  }
  if (t_ > maxt || n == cap) return n;
  out[n++] = TimedValue{t_, v()};
  // Decodes with the state in locals, stored back once.
  BitReader r = br_;
  Cursor c = cursor();
  uint32_t left = fast_left_;
  Step step = Step::kOk;
  bool at_sample = false;
  while (left > 0) {
    --left;
    step = DecodeNext(r, c);
    if (step != Step::kOk) break;
    if (c.t > maxt || n == cap) {
      at_sample = true;
      break;
    }
    double v;
    std::memcpy(&v, &c.v_bits, sizeof v);
    out[n++] = TimedValue{c.t, v};
  }
  br_ = r;
  set_cursor(c);
  fast_left_ = left;
  if (step != Step::kOk) {
    FailStep(step);
  } else if (!at_sample) {
    Next();  // past the chunk's last sample: ends the iterator as Next does
  }
  *positioned = at_sample;
  return n;
}

}  // namespace strata
