#include "decode/protobuf_wire.h"

namespace sockwarden {

bool PbReader::varint(uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (data_.empty()) return false;
    uint8_t b = static_cast<uint8_t>(data_.front());
    data_.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

bool PbReader::next(PbField& f) {
  if (error_ || data_.empty()) return false;
  uint64_t key;
  if (!varint(key) || (key >> 3) == 0 || (key >> 3) > 0x1fffffff) {
    error_ = true;
    return false;
  }
  f = PbField{};
  f.number = static_cast<uint32_t>(key >> 3);
  f.wire = static_cast<uint8_t>(key & 7);
  switch (f.wire) {
    case 0:
      if (!varint(f.varint)) break;
      return true;
    case 1:
    case 5: {
      size_t n = f.wire == 1 ? 8 : 4;
      if (data_.size() < n) break;
      for (size_t i = 0; i < n; i++) f.varint |= static_cast<uint64_t>(static_cast<uint8_t>(data_[i])) << (8 * i);
      data_.remove_prefix(n);
      return true;
    }
    case 2: {
      uint64_t len;
      if (!varint(len)) break;
      if (len > data_.size()) {
        if (!allow_cut_) break;
        f.bytes = data_;
        f.cut = true;
        data_ = {};
        return true;
      }
      f.bytes = data_.substr(0, static_cast<size_t>(len));
      data_.remove_prefix(static_cast<size_t>(len));
      return true;
    }
    default:  // groups (3, 4) are not used by these APIs
      break;
  }
  error_ = true;
  return false;
}

std::vector<std::string_view> pb_all(std::string_view msg, uint32_t number) {
  std::vector<std::string_view> out;
  PbReader r(msg);
  PbField f;
  while (r.next(f))
    if (f.number == number && f.wire == 2) out.push_back(f.bytes);
  return out;
}

std::string_view pb_bytes(std::string_view msg, uint32_t number) {
  std::string_view last;
  PbReader r(msg);
  PbField f;
  while (r.next(f))
    if (f.number == number && f.wire == 2) last = f.bytes;
  return last;
}

std::string_view pb_bytes_prefix(std::string_view msg, uint32_t number) {
  std::string_view last;
  PbReader r(msg, /*allow_cut=*/true);
  PbField f;
  while (r.next(f))
    if (f.number == number && f.wire == 2) last = f.bytes;
  return last;
}

uint64_t pb_varint(std::string_view msg, uint32_t number) {
  uint64_t last = 0;
  PbReader r(msg);
  PbField f;
  while (r.next(f))
    if (f.number == number && f.wire == 0) last = f.varint;
  return last;
}

bool pb_has(std::string_view msg, uint32_t number) {
  PbReader r(msg);
  PbField f;
  while (r.next(f))
    if (f.number == number) return true;
  return false;
}

}  // namespace sockwarden
