// Stream file writing and reading (stream_file.h).
#include "bench/loadgen/stream_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "fmt/format.h"
#include "tsdb/base/coding.h"
#include "tsdb/base/crc32c.h"

namespace strata::loadgen {
namespace {

constexpr std::string_view kMagic = "STRATARW";
constexpr uint32_t kGroupMagic = 0x31505247;  // "GRP1" as little-endian bytes
constexpr size_t kCrcOffset = 20;

std::string ErrnoText() { return std::strerror(errno); }

uint32_t ProtocolCode(Protocol p) { return p == Protocol::kV1 ? 1 : 2; }

std::string EncodeHeader(const StreamFileInfo& info) {
  std::string h(kMagic);
  PutFixed32(&h, kStreamFileVersion);
  PutFixed32(&h, ProtocolCode(info.protocol));
  PutFixed32(&h, static_cast<uint32_t>(info.connections));
  PutFixed32(&h, 0);  // CRC, below
  PutFixed64(&h, info.windows);
  PutFixed64(&h, info.requests);
  PutFixed64(&h, info.samples);
  PutFixed64(&h, info.series);
  PutFixed64(&h, static_cast<uint64_t>(info.min_timestamp_ms));
  PutFixed64(&h, static_cast<uint64_t>(info.max_timestamp_ms));
  PutFixed64(&h, info.raw_bytes);
  PutFixed64(&h, info.body_bytes);
  PutFixed32(&h, info.targets);
  PutFixed32(&h, info.scrapes);
  PutFixed64(&h, static_cast<uint64_t>(info.interval_ms));
  PutFixed32(&h, info.batch);
  PutFixed32(&h, static_cast<uint32_t>(info.description.size()));
  h.resize(kStreamHeaderBytes, '\0');
  const uint32_t crc =
      crc32c::Extend(crc32c::Value(h), info.description.data(), info.description.size());
  std::string crc_bytes;
  PutFixed32(&crc_bytes, crc);
  h.replace(kCrcOffset, 4, crc_bytes);
  return h;
}

}  // namespace

// ---------------------------------------------------------------- writer

StreamFileWriter::StreamFileWriter(std::string path, FILE* file, StreamFileInfo info)
    : path_(std::move(path)), file_(file), info_(std::move(info)) {}

StreamFileWriter::~StreamFileWriter() {
  if (file_ != nullptr) std::fclose(file_);
  if (!finished_) std::remove((path_ + ".tmp").c_str());
}

absl::StatusOr<std::unique_ptr<StreamFileWriter>> StreamFileWriter::Create(
    const std::string& path, const StreamFileInfo& info) {
  if (info.connections < 1) return absl::InvalidArgumentError("stream file: no connections");
  const std::string tmp = path + ".tmp";
  FILE* file = std::fopen(tmp.c_str(), "wb");
  if (file == nullptr) return absl::InternalError(fmt::format("{}: {}", tmp, ErrnoText()));
  // Bodies are tens of KiB; a large buffer turns the small headers between
  // them into few writes.
  std::setvbuf(file, nullptr, _IOFBF, 4 << 20);
  StreamFileInfo kept;
  kept.protocol = info.protocol;
  kept.connections = info.connections;
  kept.targets = info.targets;
  kept.scrapes = info.scrapes;
  kept.interval_ms = info.interval_ms;
  kept.batch = info.batch;
  kept.description = info.description;
  std::unique_ptr<StreamFileWriter> writer(new StreamFileWriter(path, file, std::move(kept)));
  // A placeholder until Finish knows the counts.
  const std::string header = EncodeHeader(writer->info_);
  if (absl::Status s = writer->Write(header.data(), header.size()); !s.ok()) return s;
  const std::string& d = writer->info_.description;
  if (absl::Status s = writer->Write(d.data(), d.size()); !s.ok()) return s;
  return writer;
}

absl::Status StreamFileWriter::Write(const void* data, size_t n) {
  if (n > 0 && std::fwrite(data, 1, n, file_) != n) {
    return absl::InternalError(fmt::format("{}.tmp: write: {}", path_, ErrnoText()));
  }
  offset_ += n;
  return absl::OkStatus();
}

absl::Status StreamFileWriter::AppendGroup(int window, int connection,
                                           std::span<const EncodedRequest> requests) {
  const uint64_t group = uint64_t(window) * info_.connections + connection;
  if (finished_ || connection < 0 || connection >= info_.connections || group != next_group_) {
    return absl::FailedPreconditionError(fmt::format(
        "stream file: group (window {}, connection {}) out of order", window, connection));
  }
  uint64_t samples = 0;
  for (const EncodedRequest& r : requests) samples += r.samples;
  std::string head;
  PutFixed32(&head, kGroupMagic);
  PutFixed32(&head, static_cast<uint32_t>(window));
  PutFixed32(&head, static_cast<uint32_t>(connection));
  PutFixed32(&head, static_cast<uint32_t>(requests.size()));
  PutFixed64(&head, samples);
  if (absl::Status s = Write(head.data(), head.size()); !s.ok()) return s;
  for (const EncodedRequest& r : requests) {
    if (r.body.size() > UINT32_MAX) return absl::InvalidArgumentError("request body over 4 GiB");
    head.clear();
    PutFixed32(&head, r.samples);
    PutFixed32(&head, static_cast<uint32_t>(r.body.size()));
    PutFixed32(&head, crc32c::Value(r.body));
    if (absl::Status s = Write(head.data(), head.size()); !s.ok()) return s;
    if (absl::Status s = Write(r.body.data(), r.body.size()); !s.ok()) return s;
    info_.body_bytes += r.body.size();
  }
  info_.requests += requests.size();
  info_.samples += samples;
  ++next_group_;
  if (connection == info_.connections - 1) info_.windows = uint64_t(window) + 1;
  return absl::OkStatus();
}

absl::Status StreamFileWriter::Finish(const StreamContent& content) {
  if (finished_) return absl::FailedPreconditionError("stream file: finished twice");
  if (next_group_ != info_.windows * info_.connections) {
    return absl::FailedPreconditionError(
        fmt::format("stream file: window {} lacks connections {} and up", info_.windows,
                    next_group_ % info_.connections));
  }
  info_.series = content.series;
  info_.min_timestamp_ms = content.min_timestamp_ms;
  info_.max_timestamp_ms = content.max_timestamp_ms;
  info_.raw_bytes = content.raw_bytes;
  const std::string header = EncodeHeader(info_);
  const std::string tmp = path_ + ".tmp";
  if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0 ||
      std::fwrite(header.data(), 1, header.size(), file_) != header.size()) {
    return absl::InternalError(fmt::format("{}: writing the header: {}", tmp, ErrnoText()));
  }
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) return absl::InternalError(fmt::format("{}: close: {}", tmp, ErrnoText()));
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    return absl::InternalError(fmt::format("rename {} to {}: {}", tmp, path_, ErrnoText()));
  }
  finished_ = true;
  return absl::OkStatus();
}

// ---------------------------------------------------------------- reader

StreamFileReader::~StreamFileReader() {
  if (data_ != nullptr) munmap(const_cast<char*>(data_), size_);
}

absl::StatusOr<std::unique_ptr<StreamFileReader>> StreamFileReader::Open(const std::string& path,
                                                                         bool verify_bodies) {
  std::unique_ptr<StreamFileReader> reader(new StreamFileReader());
  reader->path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(fmt::format("{}: {}", path, ErrnoText()));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const std::string e = ErrnoText();
    ::close(fd);
    return absl::InternalError(fmt::format("{}: {}", path, e));
  }
  reader->size_ = static_cast<size_t>(st.st_size);
  if (reader->size_ > 0) {
    void* map = mmap(nullptr, reader->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      const std::string e = ErrnoText();
      ::close(fd);
      return absl::InternalError(fmt::format("{}: mmap: {}", path, e));
    }
    // Read front to back, once to check it and once to send it.
    madvise(map, reader->size_, MADV_SEQUENTIAL);
    reader->data_ = static_cast<const char*>(map);
  }
  ::close(fd);  // the mapping keeps the file
  if (absl::Status s = reader->Parse(verify_bodies); !s.ok()) {
    return absl::Status(s.code(), fmt::format("{}: {}", path, std::string(s.message())));
  }
  return reader;
}

absl::Status StreamFileReader::Parse(bool verify_bodies) {
  auto corrupt = [](std::string message) { return absl::DataLossError(std::move(message)); };
  if (size_ < kStreamHeaderBytes) {
    return corrupt(fmt::format("{} bytes: too short for a stream file header ({} bytes)", size_,
                               kStreamHeaderBytes));
  }
  const char* h = data_;
  if (std::string_view(h, kMagic.size()) != kMagic) {
    return corrupt("not a stream file (no STRATARW magic; written by strata-querybench stream)");
  }
  const uint32_t version = LoadFixed32(h + 8);
  if (version != kStreamFileVersion) {
    return corrupt(
        fmt::format("version {}, this reader knows version {}", version, kStreamFileVersion));
  }
  const uint32_t protocol = LoadFixed32(h + 12);
  const uint32_t connections = LoadFixed32(h + 16);
  const uint32_t description_bytes = LoadFixed32(h + 108);
  if (protocol != 1 && protocol != 2) return corrupt(fmt::format("unknown protocol {}", protocol));
  if (connections == 0 || connections > 65536) {
    return corrupt(fmt::format("implausible connection count {}", connections));
  }
  if (description_bytes > size_ - kStreamHeaderBytes) {
    return corrupt(fmt::format("truncated: the description needs {} bytes, {} follow the header",
                               description_bytes, size_ - kStreamHeaderBytes));
  }
  std::string header(h, kStreamHeaderBytes);
  std::memset(header.data() + kCrcOffset, 0, 4);
  const uint32_t crc =
      crc32c::Extend(crc32c::Value(header), h + kStreamHeaderBytes, description_bytes);
  if (crc != LoadFixed32(h + kCrcOffset)) return corrupt("header checksum mismatch");

  info_.protocol = protocol == 1 ? Protocol::kV1 : Protocol::kV2;
  info_.connections = static_cast<int>(connections);
  info_.windows = LoadFixed64(h + 24);
  info_.requests = LoadFixed64(h + 32);
  info_.samples = LoadFixed64(h + 40);
  info_.series = LoadFixed64(h + 48);
  info_.min_timestamp_ms = static_cast<int64_t>(LoadFixed64(h + 56));
  info_.max_timestamp_ms = static_cast<int64_t>(LoadFixed64(h + 64));
  info_.raw_bytes = LoadFixed64(h + 72);
  info_.body_bytes = LoadFixed64(h + 80);
  info_.targets = LoadFixed32(h + 88);
  info_.scrapes = LoadFixed32(h + 92);
  info_.interval_ms = static_cast<int64_t>(LoadFixed64(h + 96));
  info_.batch = LoadFixed32(h + 104);
  info_.description.assign(h + kStreamHeaderBytes, description_bytes);
  info_.file_bytes = size_;

  // Every group and record must fit: a record header or body never
  // reaches past the end. Counts are checked against the header after.
  const uint64_t groups = info_.windows * connections;
  if (info_.windows > (size_ / kStreamGroupHeaderBytes) / connections ||
      info_.windows > INT32_MAX || info_.requests > size_ / kStreamRecordHeaderBytes) {
    return corrupt(fmt::format("implausible counts: {} windows, {} requests in {} bytes",
                               info_.windows, info_.requests, size_));
  }
  views_.reserve(info_.requests);
  std::vector<std::pair<size_t, size_t>> ranges;  // into views_, per group
  ranges.reserve(groups);
  uint64_t samples = 0, body_bytes = 0;
  size_t pos = kStreamHeaderBytes + description_bytes;
  for (uint64_t g = 0; g < groups; ++g) {
    const uint64_t window = g / connections, connection = g % connections;
    const std::string where = fmt::format("window {} connection {}", window, connection);
    if (size_ - pos < kStreamGroupHeaderBytes) {
      return corrupt(fmt::format("truncated at offset {}: {} missing ({} of {} windows complete)",
                                 pos, where, window, info_.windows));
    }
    const char* gh = data_ + pos;
    if (LoadFixed32(gh) != kGroupMagic || LoadFixed32(gh + 4) != window ||
        LoadFixed32(gh + 8) != connection) {
      return corrupt(fmt::format("offset {}: expected the group header of {}", pos, where));
    }
    const uint32_t requests = LoadFixed32(gh + 12);
    const uint64_t group_samples = LoadFixed64(gh + 16);
    pos += kStreamGroupHeaderBytes;
    uint64_t sum = 0;
    const size_t first = views_.size();
    for (uint32_t r = 0; r < requests; ++r) {
      if (views_.size() == info_.requests) {
        return corrupt(
            fmt::format("{}: more requests than the header's {}", where, info_.requests));
      }
      if (size_ - pos < kStreamRecordHeaderBytes) {
        return corrupt(
            fmt::format("truncated at offset {}: {} request {} of {}", pos, where, r, requests));
      }
      const char* rh = data_ + pos;
      const uint32_t n = LoadFixed32(rh), length = LoadFixed32(rh + 4);
      pos += kStreamRecordHeaderBytes;
      if (size_ - pos < length) {
        return corrupt(fmt::format("truncated at offset {}: {} request {} needs {} bytes, {} left",
                                   pos, where, r, length, size_ - pos));
      }
      const std::string_view body(data_ + pos, length);
      if (verify_bodies && crc32c::Value(body) != LoadFixed32(rh + 8)) {
        return corrupt(
            fmt::format("offset {}: {} request {}: body checksum mismatch", pos, where, r));
      }
      views_.push_back({body, n});
      pos += length;
      sum += n;
      body_bytes += length;
    }
    if (sum != group_samples) {
      return corrupt(fmt::format("{}: requests hold {} samples, the group header says {}", where,
                                 sum, group_samples));
    }
    samples += sum;
    ranges.emplace_back(first, views_.size() - first);
  }
  if (pos != size_) {
    return corrupt(fmt::format("{} bytes after the last window (offset {})", size_ - pos, pos));
  }
  if (views_.size() != info_.requests || samples != info_.samples ||
      body_bytes != info_.body_bytes) {
    return corrupt(fmt::format(
        "groups hold {} requests, {} samples, {} body bytes; the header says {}, {}, {}",
        views_.size(), samples, body_bytes, info_.requests, info_.samples, info_.body_bytes));
  }
  // Spans only now: views_ no longer reallocates.
  requests_.windows = static_cast<int>(info_.windows);
  requests_.connections = info_.connections;
  for (const auto& [first, count] : ranges) {
    requests_.groups.emplace_back(views_.data() + first, count);
  }
  return absl::OkStatus();
}

}  // namespace strata::loadgen
