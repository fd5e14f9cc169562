// HPACK (RFC 7541) header block decoding with libnghttp2's inflater. One per
// connection direction: the dynamic table carries over between requests, so
// later requests' indexed headers decode only with the earlier blocks seen.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct nghttp2_hd_inflater;

namespace sockwarden {

// Bounds on what one header block may expand to. HPACK lets one byte repeat a
// dynamic-table entry of up to 4 KiB, so a 16 KiB block could otherwise decode
// to 64 MiB of strings: the caps apply while decoding, before anything is copied
// (sizes counted as RFC 7540 SETTINGS_MAX_HEADER_LIST_SIZE does: name + value + 32).
struct HpackLimits {
  size_t max_list_bytes = 16 * 1024;
  size_t max_headers = 128;
  // Headers the request report reads are kept (first occurrence, value cut to
  // max_wanted_value) even past the caps, so junk placed before them cannot hide
  // :path or user-agent.
  size_t max_wanted_value = 4096;
};

class HpackDecoder {
 public:
  HpackDecoder();
  ~HpackDecoder();
  HpackDecoder(HpackDecoder&&) noexcept;
  HpackDecoder& operator=(HpackDecoder&&) noexcept;
  HpackDecoder(const HpackDecoder&) = delete;
  HpackDecoder& operator=(const HpackDecoder&) = delete;

  // Decodes one complete header block. False on a decoding error: the dynamic
  // table is then unusable and so is every later block of the connection.
  // 'cut' (optional) is set when headers were dropped or shortened by the limits.
  bool decode(std::string_view block, std::vector<std::pair<std::string, std::string>>& headers,
              bool* cut = nullptr);

  void set_limits(HpackLimits l) { limits_ = l; }
  const HpackLimits& limits() const { return limits_; }

 private:
  struct Deleter {
    void operator()(nghttp2_hd_inflater* p) const;
  };
  std::unique_ptr<nghttp2_hd_inflater, Deleter> inflater_;
  HpackLimits limits_;
};

}  // namespace sockwarden
