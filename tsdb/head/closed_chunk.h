// An immutable head chunk that stopped growing (or a query's copy of the
// open one), shared by its series and the queries reading it so that the
// series can drop it while a query still runs.
//
// One allocation holds the reference count, the time range and the bytes:
// a head keeps several closed chunks per active series, and a shared_ptr to
// a struct holding a std::vector spent ~48 bytes more, on two heap blocks, a
// control block and a vector header per chunk on top of the bytes.
//
//   ChunkRef c = ClosedChunk::Make(min_t, max_t, appender.bytes());
//   ChunkRef d = c;                  // shares; the last owner frees it
//   XorIterator it(d->bytes());
//
// Thread safety: the chunk is immutable; ChunkRefs to one chunk may be
// copied and destroyed from any threads at once (atomic count), but one
// ChunkRef object is not shared between threads without a lock.
#ifndef STRATA_TSDB_HEAD_CLOSED_CHUNK_H_
#define STRATA_TSDB_HEAD_CLOSED_CHUNK_H_

#include <atomic>
#include <cstdint>
#include <span>
#include <utility>

namespace strata {

class ChunkRef;

class ClosedChunk {
 public:
  // A new chunk holding a copy of `bytes`, owned by the returned reference.
  static ChunkRef Make(int64_t min_time, int64_t max_time, std::span<const uint8_t> bytes);

  ClosedChunk(const ClosedChunk&) = delete;
  ClosedChunk& operator=(const ClosedChunk&) = delete;

  const int64_t min_time;  // first sample's timestamp
  const int64_t max_time;  // last sample's timestamp
  std::span<const uint8_t> bytes() const {
    return {reinterpret_cast<const uint8_t*>(this + 1), size_};
  }
  // Heap bytes of this chunk, header included.
  size_t MemoryBytes() const { return sizeof(ClosedChunk) + size_; }

 private:
  friend class ChunkRef;
  ClosedChunk(int64_t min, int64_t max, uint32_t size)
      : min_time(min), max_time(max), size_(size) {}

  mutable std::atomic<uint32_t> refs_{1};
  const uint32_t size_;
  // The bytes follow the object in the same allocation.
};

// An owning reference to a ClosedChunk (an intrusive shared pointer); null
// when default-constructed or moved from.
class ChunkRef {
 public:
  ChunkRef() = default;
  ChunkRef(const ChunkRef& o) : chunk_(o.chunk_) {
    if (chunk_ != nullptr) chunk_->refs_.fetch_add(1, std::memory_order_relaxed);
  }
  ChunkRef(ChunkRef&& o) noexcept : chunk_(std::exchange(o.chunk_, nullptr)) {}
  ChunkRef& operator=(ChunkRef o) noexcept {
    std::swap(chunk_, o.chunk_);
    return *this;
  }
  ~ChunkRef() { Release(); }

  const ClosedChunk* get() const { return chunk_; }
  const ClosedChunk* operator->() const { return chunk_; }
  const ClosedChunk& operator*() const { return *chunk_; }
  explicit operator bool() const { return chunk_ != nullptr; }

 private:
  friend class ClosedChunk;
  explicit ChunkRef(ClosedChunk* adopted) : chunk_(adopted) {}
  void Release();

  ClosedChunk* chunk_ = nullptr;
};

}  // namespace strata

#endif  // STRATA_TSDB_HEAD_CLOSED_CHUNK_H_
