#include "tsdb/labels/symbol_table.h"

#include <atomic>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "tsdb/base/mutex.h"

namespace strata {
namespace {

// Strings are copied into blocks of this size; a block is never reallocated,
// so the string_views Lookup hands out stay valid.
constexpr size_t kBlockSize = 64 << 10;
// Larger strings get a block of their own, so a long string does not waste
// the rest of a shared block.
constexpr size_t kLargeString = 8 << 10;

// The id -> string directory is a list of segments that never move: segment s
// holds 1024 << s entries, for ids [1024 * (2^s - 1), 1024 * (2^(s+1) - 1)).
// 23 segments cover every uint32 id, and the top-level array is fixed, so a
// reader needs no lock to find an entry while a writer adds segments.
constexpr int kFirstSegmentBits = 10;
constexpr int kSegments = 23;

struct Slot {
  int segment;
  size_t offset;
};

inline Slot Locate(uint32_t id) {
  uint64_t x = (uint64_t{id} >> kFirstSegmentBits) + 1;
  int s = std::bit_width(x) - 1;
  uint64_t base = (uint64_t{1} << (s + kFirstSegmentBits)) - (uint64_t{1} << kFirstSegmentBits);
  return {s, static_cast<size_t>(id - base)};
}

inline size_t SegmentEntries(int s) { return size_t{1} << (s + kFirstSegmentBits); }

// Each string is stored as a varint length followed by its bytes; a directory
// entry is a pointer to the length, so an id costs 8 bytes plus the prefix.
inline int VarintLength(size_t n) {
  int len = 1;
  while (n >= 0x80) {
    n >>= 7;
    ++len;
  }
  return len;
}

inline std::string_view DecodeEntry(const char* p) {
  uint32_t len = 0;
  int shift = 0;
  uint8_t b;
  do {
    b = static_cast<uint8_t>(*p++);
    len |= uint32_t{b & 0x7fu} << shift;
    shift += 7;
  } while (b & 0x80);
  return std::string_view(p, len);
}

}  // namespace

struct SymbolTable::Impl {
  // The index stores only ids (4 bytes a slot instead of a 16-byte
  // string_view plus the id); hashing and comparing go through the directory.
  // Lookups by string_view are heterogeneous.
  struct IdHash {
    using is_transparent = void;
    const Impl* impl;
    size_t operator()(std::string_view s) const { return absl::Hash<std::string_view>{}(s); }
    size_t operator()(uint32_t id) const { return (*this)(impl->Get(id)); }
  };
  struct IdEq {
    using is_transparent = void;
    const Impl* impl;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t a, std::string_view b) const { return impl->Get(a) == b; }
    bool operator()(std::string_view a, uint32_t b) const { return a == impl->Get(b); }
  };
  using Index = absl::flat_hash_set<uint32_t, IdHash, IdEq>;

  Impl() : index(0, IdHash{this}, IdEq{this}) {
    for (auto& s : segments) s.store(nullptr, std::memory_order_relaxed);
  }
  ~Impl() {
    for (auto& s : segments) delete[] s.load(std::memory_order_relaxed);
  }

  // REQUIRES: id < count, learned in a way that happens after its Add.
  std::string_view Get(uint32_t id) const {
    Slot slot = Locate(id);
    const char* const* seg = segments[slot.segment].load(std::memory_order_acquire);
    return DecodeEntry(seg[slot.offset]);
  }

  // Copies `s` into the arena and returns its id.
  uint32_t Add(std::string_view s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  const char* Store(std::string_view s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  mutable SharedMutex mu;
  Index index ABSL_GUARDED_BY(mu);
  std::vector<std::unique_ptr<char[]>> blocks ABSL_GUARDED_BY(mu);
  char* cur ABSL_GUARDED_BY(mu) = nullptr;  // free space in the newest shared block
  size_t left ABSL_GUARDED_BY(mu) = 0;
  size_t arena_bytes ABSL_GUARDED_BY(mu) = 0;
  size_t directory_bytes ABSL_GUARDED_BY(mu) = 0;
  // Written under mu before an id is published, read without it (Get). An
  // entry never changes once its id is handed out.
  std::atomic<const char**> segments[kSegments];
  std::atomic<uint32_t> count{0};
};

const char* SymbolTable::Impl::Store(std::string_view s) {
  // Lengths above 4 GiB cannot be encoded as a varint32; no label is that big.
  if (s.size() > UINT32_MAX) std::abort();
  const size_t need = VarintLength(s.size()) + s.size();
  char* p;
  if (need > kLargeString) {
    blocks.push_back(std::make_unique_for_overwrite<char[]>(need));
    arena_bytes += need;
    p = blocks.back().get();
  } else {
    if (need > left) {
      blocks.push_back(std::make_unique_for_overwrite<char[]>(kBlockSize));
      arena_bytes += kBlockSize;
      cur = blocks.back().get();
      left = kBlockSize;
    }
    p = cur;
    cur += need;
    left -= need;
  }
  char* q = p;
  size_t n = s.size();
  while (n >= 0x80) {
    *q++ = static_cast<char>(n | 0x80);
    n >>= 7;
  }
  *q++ = static_cast<char>(n);
  if (!s.empty()) std::memcpy(q, s.data(), s.size());
  return p;
}

uint32_t SymbolTable::Impl::Add(std::string_view s) {
  const uint32_t id = count.load(std::memory_order_relaxed);
  if (id == UINT32_MAX) std::abort();  // 4 billion distinct strings: out of ids
  const Slot slot = Locate(id);
  const char** seg = segments[slot.segment].load(std::memory_order_relaxed);
  if (seg == nullptr) {
    seg = new const char*[SegmentEntries(slot.segment)];
    directory_bytes += SegmentEntries(slot.segment) * sizeof(const char*);
    segments[slot.segment].store(seg, std::memory_order_release);
  }
  seg[slot.offset] = Store(s);
  index.insert(id);  // hashes through Get(id), so the entry must be set first
  count.store(id + 1, std::memory_order_release);
  return id;
}

SymbolTable::SymbolTable() : impl_(new Impl) {}

SymbolTable::~SymbolTable() { delete impl_; }

uint32_t SymbolTable::Intern(std::string_view s) {
  {
    // The common case: the string is known. A shared lock lets concurrent
    // appenders intern known strings in parallel.
    ReaderLock lock(&impl_->mu);
    auto it = impl_->index.find(s);
    if (it != impl_->index.end()) return *it;
  }
  WriterLock lock(&impl_->mu);
  auto it = impl_->index.find(s);  // another thread may have added it meanwhile
  if (it != impl_->index.end()) return *it;
  return impl_->Add(s);
}

bool SymbolTable::Find(std::string_view s, uint32_t* id) const {
  ReaderLock lock(&impl_->mu);
  auto it = impl_->index.find(s);
  if (it == impl_->index.end()) return false;
  *id = *it;
  return true;
}

std::string_view SymbolTable::Lookup(uint32_t id) const {
  assert(id < impl_->count.load(std::memory_order_acquire));
  return impl_->Get(id);
}

size_t SymbolTable::size() const { return impl_->count.load(std::memory_order_acquire); }

size_t SymbolTable::MemoryBytes() const {
  ReaderLock lock(&impl_->mu);
  // A flat_hash_set slot is the 4-byte id plus one control byte; the control
  // array also carries one group (16 bytes) of sentinel padding.
  const size_t index_bytes =
      impl_->index.capacity() * (sizeof(uint32_t) + 1) + (impl_->index.capacity() ? 16 : 0);
  return sizeof(SymbolTable) + sizeof(Impl) + impl_->arena_bytes +
         impl_->blocks.capacity() * sizeof(std::unique_ptr<char[]>) + impl_->directory_bytes +
         index_bytes;
}

}  // namespace strata
