// Chunked transfer coding (RFC 9112 section 7.1), decoded incrementally the
// way Go's net/http (dockerd) reads it: hex size, optional ";ext", CRLF (a bare
// LF is tolerated), data, CRLF, ..., "0" CRLF, trailers, CRLF.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sockwarden {

class ChunkedBody {
 public:
  enum class Status { More, Done, Error };

  // Consumes bytes from data (advancing it); de-chunked bytes are appended to
  // 'body' up to 'keep' total, and all of them are counted in decoded().
  Status feed(std::string_view& data, std::string& body, size_t keep);
  // n bytes of the stream are missing. True if they fall inside one chunk's data
  // (skippable without losing the framing).
  bool skip(uint64_t n);

  uint64_t decoded() const { return decoded_; }
  const std::string& error() const { return error_; }

 private:
  enum class State { Size, Ext, SizeLf, Data, DataCr, DataLf, Trailer, TrailerLf, Done, Error };
  Status fail(const char* why);
  State state_ = State::Size;
  uint64_t size_ = 0;
  int size_digits_ = 0;
  uint64_t remaining_ = 0;
  uint64_t decoded_ = 0;
  size_t line_len_ = 0;  // bytes of the current size/trailer line (bounded)
  bool trailer_empty_ = true;
  std::string error_;
};

}  // namespace sockwarden
