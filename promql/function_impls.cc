#include "promql/function_impls.h"

#include "absl/container/flat_hash_map.h"
#include "promql/parser.h"

namespace strata::promql {

const FunctionImpl* FindFunctionImpl(std::string_view name) {
  static const auto* const table = [] {
    auto* t = new absl::flat_hash_map<std::string_view, const FunctionImpl*>();
    for (auto family : {MathFunctionImpls(), RangeFunctionImpls(), LabelFunctionImpls(),
                        HistogramFunctionImpls()}) {
      for (const FunctionImpl& f : family) t->emplace(f.name, &f);
    }
    return t;
  }();
  auto it = table->find(name);
  return it == table->end() ? nullptr : it->second;
}

}  // namespace strata::promql
