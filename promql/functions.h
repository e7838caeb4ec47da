// The PromQL function table (Prometheus 3's promql/parser/functions.go):
// name, argument types, how many extra arguments the last type may repeat,
// and the return type. Experimental functions are enabled in Strata.
//
// Thread safety: the table is immutable static data.
#ifndef STRATA_PROMQL_FUNCTIONS_H_
#define STRATA_PROMQL_FUNCTIONS_H_

#include <string_view>
#include <vector>

#include "promql/ast.h"

namespace strata::promql {

class Function {
 public:
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments; n > 0: the last argument is
  // optional and up to n may be given; -1: any number of the last type
  // (Prometheus's Variadic).
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
  bool experimental = false;
};

// nullptr when no function has that (case-sensitive) name.
const Function* FindFunction(std::string_view name);

// Every function, sorted by name.
const std::vector<Function>& AllFunctions();

}  // namespace strata::promql

#endif  // STRATA_PROMQL_FUNCTIONS_H_
