#include "promql/value.h"

#include <algorithm>

namespace strata::promql {
namespace {

void AddUnique(std::vector<std::string>* list, std::string msg) {
  if (std::find(list->begin(), list->end(), msg) == list->end()) list->push_back(std::move(msg));
}

}  // namespace

void Annotations::AddWarning(std::string msg) { AddUnique(&warnings_, std::move(msg)); }
void Annotations::AddInfo(std::string msg) { AddUnique(&infos_, std::move(msg)); }

void Annotations::Merge(const Annotations& other) {
  for (const std::string& w : other.warnings_) AddWarning(w);
  for (const std::string& i : other.infos_) AddInfo(i);
}

}  // namespace strata::promql
