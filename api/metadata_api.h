// Prometheus HTTP API endpoints that read the index rather than evaluate
// PromQL: series, label names, label values, metric metadata, build info,
// TSDB status and (empty) exemplars. Each handler reproduces Prometheus 3's
// web/api/v1 behaviour: parameter order and error texts, `limit` with a
// "results truncated due to limit" warning, [] rather than null for empty
// results, label names and values sorted.
//
// Strata-specific choices:
//   * /api/v1/metadata answers from the metadata remote write carried (the
//     latest per metric name), sorted by name; Prometheus answers from its
//     scrape targets. Entries are {"type","help","unit"}, one per metric.
//   * /api/v1/status/tsdb describes the head (the only part of the store that
//     exists so far); chunkCount is the number of chunks created in it.
//   * /api/v1/query_exemplars always answers [] (exemplars are not stored).
//
// Thread safety: handlers may run concurrently. Lifetime: `db` must outlive
// the object.
#ifndef STRATA_API_METADATA_API_H_
#define STRATA_API_METADATA_API_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/http_util.h"
#include "httplib.h"
#include "tsdb/db.h"
#include "tsdb/labels/matcher.h"

namespace strata::api {

// What /api/v1/status/buildinfo reports; keys as Prometheus's.
struct BuildInfo {
  std::string version;
  std::string revision;
  std::string branch;
  std::string build_user;
  std::string build_date;
  std::string go_version;  // the C++ compiler, in Prometheus's goVersion slot
};

// Values fixed at compile time: STRATA_VERSION, STRATA_REVISION, STRATA_BRANCH
// and STRATA_BUILD_USER when defined (else "0.1.0" / "unknown"), the
// compilation date as "20060102-15:04:05", and the compiler version.
BuildInfo CompiledBuildInfo();

// Parses match[] selectors with PromQL's metric-selector grammar and checks
// that each has a matcher that does not match the empty string. Errors are
// the parser's ("1:5: parse error: ...") or "match[] must contain at least
// one non-empty matcher".
absl::StatusOr<std::vector<std::vector<Matcher>>> ParseMatchersParam(
    const std::vector<std::string_view>& selectors);

class MetadataApi {
 public:
  MetadataApi(DB* db, BuildInfo build_info) : db_(db), build_info_(std::move(build_info)) {}

  // GET|POST /api/v1/series: match[] (required, repeated), start, end, limit.
  void Series(const ApiRequest& req, httplib::Response* res);
  // GET|POST /api/v1/labels: match[], start, end, limit.
  void LabelNames(const ApiRequest& req, httplib::Response* res);
  // GET /api/v1/label/:name/values: match[], start, end, limit.
  void LabelValues(const ApiRequest& req, httplib::Response* res);
  // GET /api/v1/metadata: metric, limit, limit_per_metric.
  void Metadata(const ApiRequest& req, httplib::Response* res);
  // GET /api/v1/status/buildinfo.
  void ServeBuildInfo(const ApiRequest& req, httplib::Response* res);
  // GET /api/v1/status/tsdb: limit (default 10).
  void TsdbStatus(const ApiRequest& req, httplib::Response* res);
  // GET|POST /api/v1/query_exemplars: query, start, end.
  void QueryExemplars(const ApiRequest& req, httplib::Response* res);

 private:
  DB* const db_;
  const BuildInfo build_info_;
};

}  // namespace strata::api

#endif  // STRATA_API_METADATA_API_H_
