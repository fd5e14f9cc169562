// Minimal protobuf wire-format reader (varint, fixed32/64, length-delimited):
// enough to pull named fields out of CRI and containerd requests without their
// generated code. Never reads past its input; malformed input stops iteration.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sockwarden {

struct PbField {
  uint32_t number = 0;
  uint8_t wire = 0;        // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  uint64_t varint = 0;     // wire 0, 1, 5
  std::string_view bytes;  // wire 2
  bool cut = false;        // wire 2: the value runs past the input (allow_cut): bytes is its start
};

class PbReader {
 public:
  // allow_cut: a length-delimited value running past the end of the input is
  // returned as the prefix that is there (f.cut), and ends the iteration. For a
  // message the capture cut: a submessage's leading fields are still readable.
  explicit PbReader(std::string_view data, bool allow_cut = false) : data_(data), allow_cut_(allow_cut) {}
  // Next field; false at the end or on malformed input (then error() is true).
  bool next(PbField& f);
  bool error() const { return error_; }

 private:
  bool varint(uint64_t& v);
  std::string_view data_;
  bool allow_cut_ = false;
  bool error_ = false;
};

// Convenience: every length-delimited value of field 'number' / the last one / a varint.
std::vector<std::string_view> pb_all(std::string_view msg, uint32_t number);
std::string_view pb_bytes(std::string_view msg, uint32_t number);
// The same from a message cut short: the last value of 'number', or the start of
// it when the input ends inside it (only complete fields are read from that start
// by pb_bytes, so a cut id is never taken for a whole one).
std::string_view pb_bytes_prefix(std::string_view msg, uint32_t number);
uint64_t pb_varint(std::string_view msg, uint32_t number);
bool pb_has(std::string_view msg, uint32_t number);

}  // namespace sockwarden
