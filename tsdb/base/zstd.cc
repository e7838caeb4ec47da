#include "tsdb/base/zstd.h"

#include <zstd.h>

#include <memory>

namespace strata::zstd {
namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

}  // namespace

std::string Compress(std::string_view raw, int level) {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  const size_t n =
      ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n)) return {};
  out.resize(n);
  return out;
}

bool Decompress(std::string_view frame, size_t max_size, std::vector<uint8_t>* out) {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > max_size) {
    return false;
  }
  out->resize(size);
  const size_t got =
      ZSTD_decompressDCtx(dctx.get(), out->data(), out->size(), frame.data(), frame.size());
  return !ZSTD_isError(got) && got == size;
}

}  // namespace strata::zstd
