// Interns label strings so each distinct name or value is stored once.
//
// Ids are dense uint32 values assigned in first-seen order and never reused;
// Lookup(id) returns a string_view that stays valid for the table's lifetime
// (strings live in stable arena blocks and never move).
//
// Memory: each string costs its bytes plus a 1-5 byte length prefix in 64 KiB
// arena blocks (strings over 8 KiB get a block of their own), 8 bytes in the
// id -> string directory, and ~5 bytes (a 4-byte id and a control byte) per
// slot of the string -> id hash index.
//
// Thread safety: every method is safe for concurrent use. Lookup and size
// are lock-free. Find, and Intern of a string already present, take a shared
// (reader) lock, so concurrent interning of known strings does not
// serialise; only Intern of a new string takes the exclusive lock.
#ifndef STRATA_TSDB_LABELS_SYMBOL_TABLE_H_
#define STRATA_TSDB_LABELS_SYMBOL_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata {

class SymbolTable {
 public:
  SymbolTable();
  ~SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  // Returns the id of `s`, adding it if new.
  uint32_t Intern(std::string_view s);
  // Returns true and sets *id when `s` is present.
  bool Find(std::string_view s, uint32_t* id) const;
  // REQUIRES: id was returned by Intern (or Find) on this table, and the
  // caller learned it through something that synchronises with that call
  // (the same thread, a lock, a release/acquire pair).
  std::string_view Lookup(uint32_t id) const;
  // The number of distinct strings interned (ids are 0..size()-1).
  size_t size() const;
  // Bytes held: strings, index and arena overhead.
  size_t MemoryBytes() const;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace strata

#endif  // STRATA_TSDB_LABELS_SYMBOL_TABLE_H_
