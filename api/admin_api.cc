#include "api/admin_api.h"

#include <random>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fmt/format.h"

namespace strata::api {
namespace {

// Go's strconv.ParseBool.
bool ParseGoBool(std::string_view s, bool* out) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (s == t) return *out = true, true;
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (s == f) return *out = false, true;
  }
  return false;
}

// "<UTC time>-<16 hex digits>", Prometheus's snapshot naming.
std::string SnapshotName() {
  std::random_device rd;
  const uint64_t r = (uint64_t{rd()} << 32) | rd();
  return fmt::format("{}-{:016x}",
                     absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()), r);
}

}  // namespace

void AdminApi::Snapshot(const ApiRequest& req, httplib::Response* res) {
  if (!enabled_) return RespondApiError(res, ApiErrorType::kUnavailable, "admin APIs disabled");
  if (!req.form_error.ok()) {
    return RespondApiError(res, ApiErrorType::kBadData, StatusMessage(req.form_error));
  }
  bool skip_head = false;
  std::string_view skip = req.form.Get("skip_head");
  if (!skip.empty() && !ParseGoBool(skip, &skip_head)) {
    return RespondApiError(
        res, ApiErrorType::kBadData,
        fmt::format("unable to parse boolean 'skip_head' argument: strconv.ParseBool: parsing "
                    "\"{}\": invalid syntax",
                    skip));
  }
  const std::string name = SnapshotName();
  const std::string dir = JoinPath(JoinPath(db_->dir(), "snapshots"), name);
  if (absl::Status st = db_->Snapshot(dir, skip_head); !st.ok()) {
    return RespondApiError(res, ApiErrorType::kInternal,
                           fmt::format("create snapshot: {}", StatusMessage(st)));
  }
  logger_->Log(LogLevel::kInfo, "api", "snapshot created",
               fmt::format("dir={} skip_head={}", LogfmtValue(dir), skip_head));
  ApiSuccess ok;
  ok.data().BeginObject();
  ok.data().Key("name");
  ok.data().String(name);
  ok.data().EndObject();
  ok.Send(res);
}

}  // namespace strata::api
