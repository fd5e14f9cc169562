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
  bool decode(std::string_view block, std::vector<std::pair<std::string, std::string>>& headers);

 private:
  struct Deleter {
    void operator()(nghttp2_hd_inflater* p) const;
  };
  std::unique_ptr<nghttp2_hd_inflater, Deleter> inflater_;
};

}  // namespace sockwarden
