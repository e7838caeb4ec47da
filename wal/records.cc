#include "wal/records.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tsdb/base/coding.h"

namespace strata::wal {
namespace {

void PutHeader(RecordType type, size_t count, std::string* out) {
  out->push_back(static_cast<char>(type));
  PutUvarint(out, count);
}

uint64_t DoubleBits(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return bits;
}

double BitsDouble(uint64_t bits) {
  double v;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

absl::Status Corrupt(RecordType type, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("record: ", RecordTypeName(type), ": ", what));
}

// Checks the type byte and reads the entry count. `min_entry_size` bounds the
// count by the remaining bytes, so a corrupt count can neither make the
// decoder reserve gigabytes nor loop long on a short input.
absl::Status ReadHeader(Decoder* d, RecordType want, size_t min_entry_size, uint64_t* count) {
  uint8_t type = d->Byte();
  if (!d->ok()) return Corrupt(want, "empty record");
  if (type != static_cast<uint8_t>(want)) {
    return Corrupt(want, absl::StrCat("unexpected record type ", type));
  }
  *count = d->Uvarint();
  if (!d->ok()) return Corrupt(want, "truncated entry count");
  if (*count > d->remaining() / min_entry_size) {
    return Corrupt(
        want, absl::StrCat("entry count ", *count, " exceeds the ", d->remaining(), " bytes left"));
  }
  return absl::OkStatus();
}

absl::Status Finish(const Decoder& d, RecordType type, uint64_t count) {
  if (!d.ok()) return Corrupt(type, absl::StrCat("truncated (", count, " entries declared)"));
  if (!d.done()) return Corrupt(type, absl::StrCat(d.remaining(), " trailing bytes"));
  return absl::OkStatus();
}

// Decodes the `count` entries of a series record.
absl::Status DecodeSeriesEntries(Decoder* dec, uint64_t count, std::vector<RefSeries>* out) {
  constexpr RecordType kType = RecordType::kSeries;
  Decoder& d = *dec;
  out->reserve(out->size() + count);
  std::vector<Label> labels;
  for (uint64_t i = 0; i < count && d.ok(); ++i) {
    uint64_t ref = d.Uvarint();
    uint64_t n = d.Uvarint();
    if (!d.ok()) break;
    // A label is at least two length bytes.
    if (n > d.remaining() / 2) {
      return Corrupt(kType, absl::StrCat("series ", ref, ": label count ", n, " exceeds the ",
                                         d.remaining(), " bytes left"));
    }
    labels.clear();
    for (uint64_t j = 0; j < n && d.ok(); ++j) {
      Label l{d.LengthPrefixed(), d.LengthPrefixed()};
      if (!d.ok()) break;
      if (l.name.empty()) return Corrupt(kType, absl::StrCat("series ", ref, ": empty label name"));
      if (!labels.empty() && labels.back().name >= l.name) {
        return Corrupt(kType, absl::StrCat("series ", ref, ": labels not sorted or duplicate at \"",
                                           absl::CHexEscape({l.name.data(), l.name.size()}), "\""));
      }
      labels.push_back(l);
    }
    if (!d.ok()) break;
    out->push_back(RefSeries{ref, Labels::FromSorted(labels)});
  }
  return Finish(d, kType, count);
}

}  // namespace

const char* RecordTypeName(RecordType t) {
  switch (t) {
    case RecordType::kSeries:
      return "series";
    case RecordType::kSamples:
      return "samples";
    case RecordType::kTombstones:
      return "tombstones";
    case RecordType::kMetadata:
      return "metadata";
    case RecordType::kInvalid:
      break;
  }
  return "invalid";
}

void EncodeSeries(std::span<const RefSeries> series, std::string* out) {
  PutHeader(RecordType::kSeries, series.size(), out);
  for (const RefSeries& s : series) {
    PutUvarint(out, s.ref);
    PutUvarint(out, s.labels.size());
    s.labels.ForEach([out](const Label& l) {
      PutLengthPrefixed(out, l.name);
      PutLengthPrefixed(out, l.value);
    });
  }
}

// Writes `v` as a uvarint at `p`; returns the position after it.
inline char* WriteUvarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline char* WriteVarint(char* p, int64_t v) {
  return WriteUvarint(p, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

inline char* WriteValue(char* p, double v) {
  uint64_t bits = DoubleBits(v);
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(bits >> (8 * i));
  return p + 8;
}

void EncodeSamples(std::span<const RefSample> samples, std::string* out) {
  PutHeader(RecordType::kSamples, samples.size(), out);
  if (samples.empty()) return;
  // The hot path of every commit: write into a buffer sized for the worst
  // case (two 10-byte varints and the value per sample), then trim.
  const size_t start = out->size();
  out->resize(start + samples.size() * 28);
  char* const begin = out->data() + start;
  char* p = begin;
  const RefSample& first = samples[0];
  p = WriteUvarint(p, first.ref);
  p = WriteVarint(p, first.t);
  p = WriteValue(p, first.v);
  uint64_t prev_ref = first.ref;
  const uint64_t t0 = static_cast<uint64_t>(first.t);
  for (size_t i = 1; i < samples.size(); ++i) {
    const RefSample& s = samples[i];
    // Wrapping differences: every (ref, t) pair round-trips, extremes included.
    p = WriteVarint(p, static_cast<int64_t>(s.ref - prev_ref));
    p = WriteVarint(p, static_cast<int64_t>(static_cast<uint64_t>(s.t) - t0));
    p = WriteValue(p, s.v);
    prev_ref = s.ref;
  }
  out->resize(start + static_cast<size_t>(p - begin));
}

void EncodeTombstones(std::span<const RefTombstone> tombstones, std::string* out) {
  PutHeader(RecordType::kTombstones, tombstones.size(), out);
  for (const RefTombstone& t : tombstones) {
    PutUvarint(out, t.ref);
    PutVarint(out, t.mint);
    PutVarint(out, t.maxt);
  }
}

void EncodeMetadata(std::span<const RefMetadata> metadata, std::string* out) {
  PutHeader(RecordType::kMetadata, metadata.size(), out);
  for (const RefMetadata& m : metadata) {
    PutUvarint(out, m.ref);
    out->push_back(static_cast<char>(m.type));
    PutLengthPrefixed(out, m.unit);
    PutLengthPrefixed(out, m.help);
  }
}

RecordType PeekType(std::string_view record) {
  if (record.empty()) return RecordType::kInvalid;
  uint8_t t = static_cast<uint8_t>(record[0]);
  if (t < static_cast<uint8_t>(RecordType::kSeries) ||
      t > static_cast<uint8_t>(RecordType::kMetadata)) {
    return RecordType::kInvalid;
  }
  return static_cast<RecordType>(t);
}

absl::Status DecodeSeries(std::string_view record, std::vector<RefSeries>* out) {
  constexpr RecordType kType = RecordType::kSeries;
  Decoder d(record);
  uint64_t count;
  // An entry is at least a ref byte and a label-count byte.
  if (absl::Status s = ReadHeader(&d, kType, 2, &count); !s.ok()) return s;
  const size_t base = out->size();
  absl::Status s = DecodeSeriesEntries(&d, count, out);
  // Append nothing from a corrupt record.
  if (!s.ok()) out->resize(base);
  return s;
}

absl::Status DecodeSamples(std::string_view record, std::vector<RefSample>* out) {
  constexpr RecordType kType = RecordType::kSamples;
  Decoder d(record);
  uint64_t count;
  // A sample is at least two varint bytes and the 8-byte value.
  if (absl::Status s = ReadHeader(&d, kType, 10, &count); !s.ok()) return s;
  if (count == 0) return Finish(d, kType, count);
  size_t base = out->size();
  out->resize(base + count);
  RefSample* dst = out->data() + base;
  uint64_t ref = d.Uvarint();
  const int64_t t0 = d.Varint();
  dst[0] = RefSample{ref, t0, BitsDouble(d.Fixed64())};
  for (uint64_t i = 1; i < count; ++i) {
    ref += static_cast<uint64_t>(d.Varint());
    int64_t dt = d.Varint();
    uint64_t bits = d.Fixed64();
    dst[i] =
        RefSample{ref, static_cast<int64_t>(static_cast<uint64_t>(t0) + static_cast<uint64_t>(dt)),
                  BitsDouble(bits)};
  }
  absl::Status s = Finish(d, kType, count);
  // Append nothing from a corrupt record.
  if (!s.ok()) out->resize(base);
  return s;
}

absl::Status DecodeTombstones(std::string_view record, std::vector<RefTombstone>* out) {
  constexpr RecordType kType = RecordType::kTombstones;
  Decoder d(record);
  uint64_t count;
  if (absl::Status s = ReadHeader(&d, kType, 3, &count); !s.ok()) return s;
  size_t base = out->size();
  out->reserve(base + count);
  for (uint64_t i = 0; i < count && d.ok(); ++i) {
    RefTombstone t;
    t.ref = d.Uvarint();
    t.mint = d.Varint();
    t.maxt = d.Varint();
    out->push_back(t);
  }
  absl::Status s = Finish(d, kType, count);
  if (!s.ok()) out->resize(base);
  return s;
}

absl::Status DecodeMetadata(std::string_view record, std::vector<RefMetadata>* out) {
  constexpr RecordType kType = RecordType::kMetadata;
  Decoder d(record);
  uint64_t count;
  // ref, type, and two length bytes.
  if (absl::Status s = ReadHeader(&d, kType, 4, &count); !s.ok()) return s;
  size_t base = out->size();
  out->reserve(base + count);
  for (uint64_t i = 0; i < count && d.ok(); ++i) {
    uint64_t ref = d.Uvarint();
    uint8_t type = d.Byte();
    std::string_view unit = d.LengthPrefixed();
    std::string_view help = d.LengthPrefixed();
    if (!d.ok()) break;
    out->push_back(RefMetadata{ref, type, std::string(unit), std::string(help)});
  }
  absl::Status s = Finish(d, kType, count);
  if (!s.ok()) out->resize(base);
  return s;
}

}  // namespace strata::wal
