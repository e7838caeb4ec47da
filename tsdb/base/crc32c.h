// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), as used
// by every checksum in Strata's file formats. Uses the SSE4.2 crc32
// instruction when the CPU has it, a slicing-by-8 table otherwise.
//
// Extend(Value(a), b) == Value(a + b). Value("123456789") == 0xE3069283.
#ifndef STRATA_TSDB_BASE_CRC32C_H_
#define STRATA_TSDB_BASE_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata::crc32c {

// CRC of data[0..n) appended to a stream whose CRC so far is `crc`.
uint32_t Extend(uint32_t crc, const void* data, size_t n);
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

// The portable implementation, exposed so tests can check both paths.
uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n);
// True when Extend uses the hardware instruction.
bool HardwareAccelerated();

}  // namespace strata::crc32c

#endif  // STRATA_TSDB_BASE_CRC32C_H_
