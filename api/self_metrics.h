// Strata's own metrics in Prometheus text format, for GET /metrics.
//
// Storage and remote-write values are read from the DB's and the
// RemoteWriteHandler's stats on each scrape (counters advance by the
// difference since the last scrape). HTTP request counts and latencies are
// recorded as requests finish (ObserveHttpRequest). The WAL fsync duration
// histogram is rendered from the WAL's own per-bucket counts. Everything is
// rendered with prometheus-cpp.
//
// Thread safety: Render and ObserveHttpRequest are safe for concurrent use.
// Lifetime: `db` and `remote_write` must outlive this object.
#ifndef STRATA_API_SELF_METRICS_H_
#define STRATA_API_SELF_METRICS_H_

#include <memory>
#include <string>
#include <string_view>

#include "tsdb/base/mutex.h"
#include "tsdb/db.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace strata {

namespace api {
class RemoteWriteHandler;
class QueryApi;
}  // namespace api

class SelfMetrics {
 public:
  // `remote_write` and `query` may be null (no remote-write or PromQL
  // metrics). Lifetime: both must outlive this object.
  explicit SelfMetrics(DB* db, const api::RemoteWriteHandler* remote_write = nullptr,
                       const api::QueryApi* query = nullptr);
  ~SelfMetrics();

  std::string Render();

  // Counts one finished request in strata_http_requests_total{handler,code}
  // and observes its duration in strata_http_request_duration_seconds
  // {handler}. `handler` is a route pattern ("/api/v1/label/:name/values"),
  // never a raw path, so label cardinality stays bounded.
  void ObserveHttpRequest(std::string_view handler, int code, double seconds);

 private:
  struct Impl;
  struct RemoteWrite;
  struct Http;
  struct Query;
  // First member: the metric objects below refer into it.
  const std::shared_ptr<prometheus::Registry> registry_;
  const api::RemoteWriteHandler* const remote_write_handler_;
  const api::QueryApi* const query_api_;
  Mutex mu_;
  std::unique_ptr<Impl> impl_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<RemoteWrite> remote_write_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Query> query_ ABSL_GUARDED_BY(mu_);
  // Internally synchronised (prometheus-cpp), so not under mu_.
  const std::unique_ptr<Http> http_;
};

}  // namespace strata

#endif  // STRATA_API_SELF_METRICS_H_
