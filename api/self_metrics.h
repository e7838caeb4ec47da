// Strata's own metrics in Prometheus text format, for GET /metrics.
//
// Values are read from the DB's stats on each scrape (counters advance by
// the difference since the last scrape) and rendered with prometheus-cpp.
//
// Thread safety: Render is safe for concurrent use.
#ifndef STRATA_API_SELF_METRICS_H_
#define STRATA_API_SELF_METRICS_H_

#include <memory>
#include <string>

#include "tsdb/base/mutex.h"
#include "tsdb/db.h"

namespace strata {

class SelfMetrics {
 public:
  // `db` must outlive this object.
  explicit SelfMetrics(DB* db);
  ~SelfMetrics();
  std::string Render();

 private:
  struct Impl;
  Mutex mu_;
  std::unique_ptr<Impl> impl_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata

#endif  // STRATA_API_SELF_METRICS_H_
