// tools/list_blocks.h: opening a data directory's blocks and `list`.
#include "tools/list_blocks.h"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tools/commands.h"
#include "tsdb/block/ulid.h"

namespace strata::tools {

absl::StatusOr<std::vector<OpenedBlock>> OpenBlocksReadOnly(FileSystem* fs,
                                                            const std::string& data_dir) {
  if (!fs->IsDir(data_dir)) {
    return absl::NotFoundError(absl::StrCat("data directory ", data_dir, " does not exist"));
  }
  absl::StatusOr<std::vector<std::string>> names = fs->ListDir(data_dir);
  if (!names.ok()) return names.status();
  std::vector<OpenedBlock> sound;
  std::vector<OpenedBlock> failed;
  for (const std::string& name : *names) {
    const std::string dir = JoinPath(data_dir, name);
    if (!block::IsUlid(name) || !fs->IsDir(dir)) continue;
    absl::StatusOr<std::shared_ptr<block::Block>> b = block::Block::Open(fs, dir);
    if (b.ok()) {
      sound.push_back({name, std::move(*b), absl::OkStatus()});
    } else {
      failed.push_back({name, nullptr, b.status()});
    }
  }
  std::sort(sound.begin(), sound.end(), [](const OpenedBlock& a, const OpenedBlock& b) {
    const auto& ma = a.block->meta();
    const auto& mb = b.block->meta();
    if (ma.min_time != mb.min_time) return ma.min_time < mb.min_time;
    return a.name < b.name;
  });
  // ListDir is sorted, so `failed` already is.
  for (OpenedBlock& f : failed) sound.push_back(std::move(f));
  return sound;
}

std::string FormatGoDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  // Work on the magnitude as unsigned so INT64_MIN does not overflow.
  uint64_t u = static_cast<uint64_t>(ms);
  if (ms < 0) {
    out = "-";
    u = ~u + 1;
  }
  if (u < 1000) return absl::StrCat(out, u, "ms");
  const uint64_t hours = u / 3600000;
  const uint64_t minutes = u / 60000 % 60;
  const uint64_t seconds = u / 1000 % 60;
  const uint64_t millis = u % 1000;
  if (hours > 0) absl::StrAppend(&out, hours, "h");
  if (hours > 0 || minutes > 0) absl::StrAppend(&out, minutes, "m");
  absl::StrAppend(&out, seconds);
  if (millis != 0) {
    std::string frac = absl::StrCat(millis + 1000).substr(1);  // three digits
    while (frac.back() == '0') frac.pop_back();
    absl::StrAppend(&out, ".", frac);
  }
  out += "s";
  return out;
}

std::string FormatBase2Bytes(uint64_t n) {
  if (n == 0) return "0B";
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  // Every non-zero base-1024 digit, most significant first, as
  // alecthomas/units.ToString prints it.
  std::vector<std::string> parts;
  for (int i = 0; n != 0; ++i, n /= 1024) {
    if (n % 1024 != 0) parts.push_back(absl::StrCat(n % 1024, kUnits[i]));
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += *it;
  return out;
}

std::string FormatRfc3339Ms(int64_t ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

void WriteTable(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    for (size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, 13);
      widths[i] = std::max(widths[i], row[i].size() + 2);
    }
  }
  std::string line;
  for (const auto& row : rows) {
    line.clear();
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size(), ' ');
    }
    line += '\n';
    out << line;
  }
}

void WriteBlockTable(const std::vector<std::shared_ptr<block::Block>>& blocks, bool human,
                     std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES", "NUM CHUNKS",
                  "NUM SERIES", "SIZE"});
  auto time = [human](int64_t ms) { return human ? FormatRfc3339Ms(ms) : absl::StrCat(ms); };
  for (const auto& b : blocks) {
    const block::BlockMeta& m = b->meta();
    rows.push_back({m.ulid, time(m.min_time), time(m.max_time),
                    FormatGoDurationMs(m.max_time - m.min_time), absl::StrCat(m.num_samples),
                    absl::StrCat(m.num_chunks), absl::StrCat(m.num_series),
                    human ? FormatBase2Bytes(b->SizeBytes()) : absl::StrCat(b->SizeBytes())});
  }
  WriteTable(rows, out);
}

int RunList(FileSystem* fs, const std::string& data_dir, bool human, std::ostream& out) {
  absl::StatusOr<std::vector<OpenedBlock>> opened = OpenBlocksReadOnly(fs, data_dir);
  if (!opened.ok()) {
    PrintError(std::string(opened.status().message()));
    return kExitFailure;
  }
  std::vector<std::shared_ptr<block::Block>> blocks;
  for (const OpenedBlock& o : *opened) {
    if (o.block != nullptr) blocks.push_back(o.block);
  }
  WriteBlockTable(blocks, human, out);
  out.flush();
  int code = kExitOk;
  for (const OpenedBlock& o : *opened) {
    if (o.block != nullptr) continue;
    PrintError(absl::StrCat("block ", o.name, ": ", o.error.message()));
    code = kExitFailure;
  }
  return code;
}

}  // namespace strata::tools
