// meta.json encoding (docs/format/block.md, "meta.json"), with nlohmann-json.
// Parsing never throws: the parser runs in its non-throwing mode and every
// value's type is checked before it is read.
#include "tsdb/block/meta.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "tsdb/base/status_macros.h"
#include "tsdb/block/ulid.h"

namespace strata::block {
namespace {

using Json = nlohmann::json;

absl::Status Malformed(const std::string& what) {
  return absl::DataLossError(absl::StrCat("meta.json: ", what));
}
absl::Status Invalid(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("meta.json: ", what));
}

// The member `key` of object `obj`, or null (with *status set) if absent.
const Json* Member(const Json& obj, const char* key, const std::string& where,
                   absl::Status* status) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    *status = Malformed(absl::StrCat("missing \"", where, key, "\""));
    return nullptr;
  }
  return &*it;
}

absl::Status GetInt(const Json& obj, const char* key, const std::string& where, int64_t* out) {
  absl::Status s;
  const Json* v = Member(obj, key, where, &s);
  if (v == nullptr) return s;
  if (v->is_number_integer() && !v->is_number_unsigned()) {
    *out = v->get<int64_t>();
  } else if (v->is_number_unsigned() && v->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) {
    *out = static_cast<int64_t>(v->get<uint64_t>());
  } else {
    return Malformed(absl::StrCat("\"", where, key, "\" is not a 64-bit integer"));
  }
  return absl::OkStatus();
}

absl::Status GetUint(const Json& obj, const char* key, const std::string& where, uint64_t* out) {
  absl::Status s;
  const Json* v = Member(obj, key, where, &s);
  if (v == nullptr) return s;
  if (!v->is_number_unsigned()) {
    return Malformed(absl::StrCat("\"", where, key, "\" is not a non-negative integer"));
  }
  *out = v->get<uint64_t>();
  return absl::OkStatus();
}

absl::Status GetUlids(const Json& obj, const char* key, std::vector<std::string>* out) {
  absl::Status s;
  const Json* v = Member(obj, key, "compaction.", &s);
  if (v == nullptr) return s;
  if (!v->is_array()) return Malformed(absl::StrCat("\"compaction.", key, "\" is not an array"));
  for (const Json& e : *v) {
    if (!e.is_string()) {
      return Malformed(absl::StrCat("\"compaction.", key, "\" holds a non-string"));
    }
    const std::string& id = e.get_ref<const std::string&>();
    if (absl::StatusOr<int64_t> t = ParseUlid(id); !t.ok()) {
      return Invalid(absl::StrCat("compaction.", key, ": ", std::string(t.status().message())));
    }
    out->push_back(id);
  }
  return absl::OkStatus();
}

absl::Status GetObject(const Json& obj, const char* key, const Json** out) {
  absl::Status s;
  *out = Member(obj, key, "", &s);
  if (*out == nullptr) return s;
  if (!(*out)->is_object()) return Malformed(absl::StrCat("\"", key, "\" is not an object"));
  return absl::OkStatus();
}

}  // namespace

std::string EncodeMeta(const BlockMeta& meta) {
  // Keys in Prometheus's order, so the file reads the same.
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["ulid"] = meta.ulid;
  j["minTime"] = meta.min_time;
  j["maxTime"] = meta.max_time;
  j["stats"] = {{"numSamples", meta.num_samples},
                {"numSeries", meta.num_series},
                {"numChunks", meta.num_chunks}};
  j["compaction"] = {{"level", meta.level}, {"sources", meta.sources}, {"parents", meta.parents}};
  j["version"] = meta.version;
  // Replace (never throw on) invalid UTF-8; a valid meta has ASCII strings only.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

absl::StatusOr<BlockMeta> DecodeMeta(const std::string& json) {
  Json j = Json::parse(json, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Malformed("not valid JSON");
  if (!j.is_object()) return Malformed("not a JSON object");
  BlockMeta m;
  int64_t version = 0;
  RETURN_IF_ERROR(GetInt(j, "version", "", &version));
  if (version != kBlockFormatVersion) {
    return Invalid(absl::StrCat("unsupported version ", version, " (this build reads ",
                                kBlockFormatVersion, ")"));
  }
  m.version = static_cast<int>(version);
  absl::Status s;
  const Json* ulid = Member(j, "ulid", "", &s);
  if (ulid == nullptr) return s;
  if (!ulid->is_string()) return Malformed("\"ulid\" is not a string");
  m.ulid = ulid->get<std::string>();
  if (absl::StatusOr<int64_t> t = ParseUlid(m.ulid); !t.ok())
    return Invalid(std::string(t.status().message()));
  RETURN_IF_ERROR(GetInt(j, "minTime", "", &m.min_time));
  RETURN_IF_ERROR(GetInt(j, "maxTime", "", &m.max_time));
  if (m.min_time > m.max_time) {
    return Invalid(absl::StrCat("minTime ", m.min_time, " > maxTime ", m.max_time));
  }
  const Json* stats;
  RETURN_IF_ERROR(GetObject(j, "stats", &stats));
  RETURN_IF_ERROR(GetUint(*stats, "numSamples", "stats.", &m.num_samples));
  RETURN_IF_ERROR(GetUint(*stats, "numSeries", "stats.", &m.num_series));
  RETURN_IF_ERROR(GetUint(*stats, "numChunks", "stats.", &m.num_chunks));
  const Json* compaction;
  RETURN_IF_ERROR(GetObject(j, "compaction", &compaction));
  int64_t level = 0;
  RETURN_IF_ERROR(GetInt(*compaction, "level", "compaction.", &level));
  if (level < 1 || level > 1000) {
    return Invalid(absl::StrCat("compaction.level ", level, " out of range [1, 1000]"));
  }
  m.level = static_cast<int>(level);
  RETURN_IF_ERROR(GetUlids(*compaction, "sources", &m.sources));
  RETURN_IF_ERROR(GetUlids(*compaction, "parents", &m.parents));
  return m;
}

}  // namespace strata::block
