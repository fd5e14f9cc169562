#include "decode/hpack_decoder.h"

#include <nghttp2/nghttp2.h>

#include <new>

namespace sockwarden {

void HpackDecoder::Deleter::operator()(nghttp2_hd_inflater* p) const { nghttp2_hd_inflate_del(p); }

HpackDecoder::HpackDecoder() {
  nghttp2_hd_inflater* p = nullptr;
  if (nghttp2_hd_inflate_new(&p) != 0) throw std::bad_alloc();
  inflater_.reset(p);
}
HpackDecoder::~HpackDecoder() = default;
HpackDecoder::HpackDecoder(HpackDecoder&&) noexcept = default;
HpackDecoder& HpackDecoder::operator=(HpackDecoder&&) noexcept = default;

bool HpackDecoder::decode(std::string_view block, std::vector<std::pair<std::string, std::string>>& headers) {
  auto* in = reinterpret_cast<const uint8_t*>(block.data());
  size_t left = block.size();
  constexpr size_t kMaxHeaders = 256;  // a bound on work per block; the rest is dropped
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t rv = nghttp2_hd_inflate_hd2(inflater_.get(), &nv, &flags, in, left, 1);
    if (rv < 0) return false;
    in += rv;
    left -= static_cast<size_t>(rv);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) && headers.size() < kMaxHeaders)
      headers.emplace_back(std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                           std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen));
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater_.get());
      return true;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0) return false;  // block ended mid-field
  }
}

}  // namespace sockwarden
