// Merges several queriers (head and blocks) into one.
//
// Series with equal labels from different queriers become one series whose
// samples are merged in time order. Where two queriers hold a sample at the
// same timestamp (overlapping blocks after backfill or import, or a block and
// the head during a cut), one is kept: the one from the querier earliest in
// the list. The result is sorted by labels like every SeriesSet.
//
// Thread safety and lifetime: as strata::Querier. The merge querier owns the
// queriers it merges.
#ifndef STRATA_TSDB_QUERIER_MERGE_QUERIER_H_
#define STRATA_TSDB_QUERIER_MERGE_QUERIER_H_

#include <memory>
#include <vector>

#include "tsdb/storage.h"

namespace strata {

// Returns the single querier unchanged when there is one; an empty querier
// when there are none.
std::unique_ptr<Querier> NewMergeQuerier(std::vector<std::unique_ptr<Querier>> queriers);

}  // namespace strata

#endif  // STRATA_TSDB_QUERIER_MERGE_QUERIER_H_
