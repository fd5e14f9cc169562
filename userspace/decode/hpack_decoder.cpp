#include "decode/hpack_decoder.h"

#include <nghttp2/nghttp2.h>

#include <array>
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

namespace {
// The names grpc_request reads: the only ones worth keeping past the caps.
constexpr std::array<std::string_view, 6> kWanted = {":method",      ":path",         "user-agent",
                                                      "containerd-namespace", "grpc-encoding", "content-length"};
int wanted_index(std::string_view name) {
  for (size_t i = 0; i < kWanted.size(); i++)
    if (name == kWanted[i]) return static_cast<int>(i);
  return -1;
}
}  // namespace

bool HpackDecoder::decode(std::string_view block, std::vector<std::pair<std::string, std::string>>& headers,
                          bool* cut) {
  auto* in = reinterpret_cast<const uint8_t*>(block.data());
  size_t left = block.size();
  size_t list_bytes = 0;
  unsigned wanted_kept = 0;  // bit i: kWanted[i] already kept past the caps
  bool dropped = false;
  // The whole block is still run through the inflater (the dynamic table must
  // stay in step), but each emitted field is only a view into the table: nothing
  // is copied beyond the caps, so memory stays bounded whatever the repeats.
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t rv = nghttp2_hd_inflate_hd2(inflater_.get(), &nv, &flags, in, left, 1);
    if (rv < 0) return false;
    in += rv;
    left -= static_cast<size_t>(rv);
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      std::string_view name(reinterpret_cast<const char*>(nv.name), nv.namelen);
      std::string_view value(reinterpret_cast<const char*>(nv.value), nv.valuelen);
      size_t size = name.size() + value.size() + 32;
      // The list is cut at the first field that does not fit: nothing after it is
      // kept but the wanted names, so smaller fields cannot slip in after a cut.
      if (!dropped && headers.size() < limits_.max_headers && list_bytes + size <= limits_.max_list_bytes) {
        list_bytes += size;
        int w = wanted_index(name);
        if (w >= 0) wanted_kept |= 1u << w;
        headers.emplace_back(std::string(name), std::string(value));
      } else {
        dropped = true;
        int w = wanted_index(name);
        if (w >= 0 && !(wanted_kept & (1u << w))) {
          wanted_kept |= 1u << w;
          headers.emplace_back(std::string(name), std::string(value.substr(0, limits_.max_wanted_value)));
        }
      }
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater_.get());
      if (cut) *cut = dropped;
      return true;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0) return false;  // block ended mid-field
  }
}

}  // namespace sockwarden
