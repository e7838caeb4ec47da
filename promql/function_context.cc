// FunctionContext helpers, apart from the function table so that a family's
// file links without the others.
#include "promql/function_impls.h"
#include "promql/parser.h"

namespace strata::promql {

std::string FunctionContext::Position(int i) const {
  if (call == nullptr) return "";
  const Pos pos = (i >= 0 && static_cast<size_t>(i) < call->args.size())
                      ? call->args[i]->position_range().start
                      : call->pos.start;
  return FormatPosition(query, pos);
}

}  // namespace strata::promql
