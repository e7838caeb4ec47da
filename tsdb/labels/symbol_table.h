// Interns label strings so each distinct name or value is stored once.
//
// Ids are dense uint32 values assigned in first-seen order and never reused;
// Lookup(id) returns a string_view that stays valid for the table's lifetime
// (strings live in stable arena blocks and never move).
//
// Thread safety: Intern and Lookup are safe for concurrent use. Lookup is
// lock-free; Intern takes a lock only when the string is new... (see .cc).
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
  // Returns the id of `s` if present. 
  bool Find(std::string_view s, uint32_t* id) const;
  // REQUIRES: id was returned by Intern on this table.
  std::string_view Lookup(uint32_t id) const;
  size_t size() const;
  // Bytes held: strings, index and arena overhead.
  size_t MemoryBytes() const;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace strata

#endif  // STRATA_TSDB_LABELS_SYMBOL_TABLE_H_
