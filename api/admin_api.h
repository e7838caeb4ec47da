// Prometheus's TSDB admin API. Only snapshots for now:
//
//   POST /api/v1/admin/tsdb/snapshot[?skip_head=true]
//     -> {"status":"success","data":{"name":"20261127T131500Z-0123456789abcdef"}}
//
// The snapshot is <storage.path>/snapshots/<name> (DB::Snapshot). Admin
// endpoints change or copy the whole database, so they are off unless the
// server runs with --web.enable-admin-api; while off they answer 503
// "admin APIs disabled" as Prometheus does.
//
// Thread safety: safe for concurrent requests (DB::Snapshot serialises).
// Lifetime: `db` and `logger` must outlive the AdminApi.
#ifndef STRATA_API_ADMIN_API_H_
#define STRATA_API_ADMIN_API_H_

#include "api/http_util.h"
#include "httplib.h"
#include "tsdb/base/logger.h"
#include "tsdb/db.h"

namespace strata::api {

class AdminApi {
 public:
  AdminApi(DB* db, Logger* logger, bool enabled) : db_(db), logger_(logger), enabled_(enabled) {}

  void Snapshot(const ApiRequest& req, httplib::Response* res);

 private:
  DB* db_;
  Logger* logger_;
  const bool enabled_;
};

}  // namespace strata::api

#endif  // STRATA_API_ADMIN_API_H_
