#include "tsdb/head/closed_chunk.h"

#include <cassert>
#include <cstdint>
#include <cstring>
#include <new>

namespace strata {

ChunkRef ClosedChunk::Make(int64_t min_time, int64_t max_time, std::span<const uint8_t> bytes) {
  assert(bytes.size() <= UINT32_MAX);  // head chunks are at most a few KiB
  void* mem = ::operator new(sizeof(ClosedChunk) + bytes.size());
  auto* chunk = new (mem) ClosedChunk(min_time, max_time, static_cast<uint32_t>(bytes.size()));
  if (!bytes.empty())
    std::memcpy(reinterpret_cast<uint8_t*>(chunk + 1), bytes.data(), bytes.size());
  return ChunkRef(chunk);
}

void ChunkRef::Release() {
  if (chunk_ == nullptr) return;
  // Release: this owner's reads of the chunk happen before the free;
  // acquire (in the last owner): every other owner's reads do too.
  if (chunk_->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    chunk_->~ClosedChunk();
    ::operator delete(chunk_);
  }
  chunk_ = nullptr;
}

}  // namespace strata
