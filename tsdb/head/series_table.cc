#include "tsdb/head/series_table.h"

#include <cassert>

namespace strata {

SeriesTable::SeriesTable() : blocks_(new std::atomic<Block*>[kMaxBlocks]) {
  for (uint64_t i = 0; i < kMaxBlocks; ++i) blocks_[i].store(nullptr, std::memory_order_relaxed);
}

SeriesTable::~SeriesTable() {
  for (uint64_t b = 0; b < kMaxBlocks; ++b) {
    Block* block = blocks_[b].load(std::memory_order_relaxed);
    if (block == nullptr) continue;
    for (auto& slot : block->slots) delete slot.load(std::memory_order_relaxed);
    delete block;
  }
}

void SeriesTable::Set(std::unique_ptr<MemSeries> series) {
  const uint64_t ref = series->ref();
  const uint64_t b = ref >> kBlockBits;
  assert(b < kMaxBlocks);
  Block* block = blocks_[b].load(std::memory_order_acquire);
  if (block == nullptr) {
    MutexLock lock(&grow_mu_);
    block = blocks_[b].load(std::memory_order_acquire);
    if (block == nullptr) {
      block = new Block();
      blocks_[b].store(block, std::memory_order_release);
      if (num_blocks_.load(std::memory_order_relaxed) < b + 1) {
        num_blocks_.store(b + 1, std::memory_order_release);
      }
    }
  }
  block->slots[ref & (kBlockSize - 1)].store(series.release(), std::memory_order_release);
}

std::unique_ptr<MemSeries> SeriesTable::Remove(SeriesRef ref) {
  const uint64_t b = ref >> kBlockBits;
  if (b >= kMaxBlocks) return nullptr;
  Block* block = blocks_[b].load(std::memory_order_acquire);
  if (block == nullptr) return nullptr;
  return std::unique_ptr<MemSeries>(
      block->slots[ref & (kBlockSize - 1)].exchange(nullptr, std::memory_order_acq_rel));
}

size_t SeriesTable::MemoryBytes() const {
  size_t bytes = kMaxBlocks * sizeof(std::atomic<Block*>);
  for (uint64_t b = 0; b < num_blocks_.load(std::memory_order_acquire); ++b) {
    if (blocks_[b].load(std::memory_order_acquire) != nullptr) bytes += sizeof(Block);
  }
  return bytes;
}

}  // namespace strata
