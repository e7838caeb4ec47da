// Status propagation macros. Debian's Abseil (20220623) does not ship them.
//
//   RETURN_IF_ERROR(expr);               // returns expr's status if not ok
//   ASSIGN_OR_RETURN(auto x, expr);      // x = *expr, or returns expr.status()
//   RETURN_IF_ERROR(expr) << ...         // not supported: add context with
//                                        // AnnotateStatus instead.
#ifndef STRATA_TSDB_BASE_STATUS_MACROS_H_
#define STRATA_TSDB_BASE_STATUS_MACROS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace strata {

// Returns `s` with "`context`: " prepended to its message; ok stays ok.
// Each layer adds its own context: "wal: segment 12 offset 4096: crc mismatch".
inline absl::Status AnnotateStatus(const absl::Status& s, std::string_view context) {
  if (s.ok()) return s;
  std::string message(context);
  message.append(": ").append(s.message().data(), s.message().size());
  return absl::Status(s.code(), message);
}

}  // namespace strata

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                   \
  do {                                          \
    if (absl::Status _st = (expr); !_st.ok()) { \
      return _st;                               \
    }                                           \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr)  \
  auto tmp = (rexpr);                            \
  if (!tmp.ok()) return std::move(tmp).status(); \
  lhs = std::move(*tmp)

#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL_(STRATA_CONCAT_(_statusor_, __LINE__), lhs, rexpr)

#endif  // STRATA_TSDB_BASE_STATUS_MACROS_H_
