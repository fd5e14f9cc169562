#include "decode/chunked_body.h"

#include <algorithm>

namespace sockwarden {
namespace {
constexpr size_t kMaxLine = 4096;  // Go's chunked reader refuses longer size lines too
constexpr int kMaxHexDigits = 15;  // keeps size below 2^60: no overflow

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

ChunkedBody::Status ChunkedBody::fail(const char* why) {
  state_ = State::Error;
  error_ = why;
  return Status::Error;
}

ChunkedBody::Status ChunkedBody::feed(std::string_view& data, std::string& body, size_t keep) {
  while (!data.empty()) {
    char c = data.front();
    switch (state_) {
      case State::Size: {
        int v = hex_value(c);
        if (v >= 0) {
          if (++size_digits_ > kMaxHexDigits) return fail("chunk-size-too-large");
          size_ = size_ * 16 + static_cast<uint64_t>(v);
        } else if (size_digits_ == 0) {
          return fail("bad-chunk-size");
        } else if (c == ';' || c == ' ' || c == '\t') {
          state_ = State::Ext;  // chunk extensions (and BWS) are ignored, as Go does
        } else if (c == '\r') {
          state_ = State::SizeLf;
        } else if (c == '\n') {
          data.remove_prefix(1);
          goto size_done;
        } else {
          return fail("bad-chunk-size");
        }
        data.remove_prefix(1);
        if (++line_len_ > kMaxLine) return fail("chunk-line-too-long");
        break;
      }
      case State::Ext:
        data.remove_prefix(1);
        if (++line_len_ > kMaxLine) return fail("chunk-line-too-long");
        if (c == '\r') state_ = State::SizeLf;
        else if (c == '\n') goto size_done;
        break;
      case State::SizeLf:
        if (c != '\n') return fail("bad-chunk-size");
        data.remove_prefix(1);
        goto size_done;
      case State::Data: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
        if (body.size() < keep) body.append(data.substr(0, std::min(n, keep - body.size())));
        decoded_ += n;
        remaining_ -= n;
        data.remove_prefix(n);
        if (remaining_ == 0) state_ = State::DataCr;
        break;
      }
      case State::DataCr:
        data.remove_prefix(1);
        if (c == '\r') state_ = State::DataLf;
        else if (c == '\n') state_ = State::Size;
        else return fail("chunk-data-overrun");  // more data than the size said
        break;
      case State::DataLf:
        if (c != '\n') return fail("chunk-data-overrun");
        data.remove_prefix(1);
        state_ = State::Size;
        break;
      case State::Trailer:
        data.remove_prefix(1);
        if (++line_len_ > kMaxLine) return fail("chunk-line-too-long");
        if (c == '\r') {
          state_ = State::TrailerLf;
        } else if (c == '\n') {
          if (trailer_empty_) {
            state_ = State::Done;
            return Status::Done;
          }
          trailer_empty_ = true;
          line_len_ = 0;
        } else {
          trailer_empty_ = false;
        }
        break;
      case State::TrailerLf:
        if (c != '\n') return fail("bad-trailer");
        data.remove_prefix(1);
        if (trailer_empty_) {
          state_ = State::Done;
          return Status::Done;
        }
        trailer_empty_ = true;
        line_len_ = 0;
        state_ = State::Trailer;
        break;
      case State::Done:
        return Status::Done;
      case State::Error:
        return Status::Error;
    }
    continue;
  size_done:
    line_len_ = 0;
    size_digits_ = 0;
    if (size_ == 0) {
      state_ = State::Trailer;
      trailer_empty_ = true;
    } else {
      remaining_ = size_;
      size_ = 0;
      state_ = State::Data;
    }
  }
  if (state_ == State::Done) return Status::Done;
  if (state_ == State::Error) return Status::Error;
  return Status::More;
}

bool ChunkedBody::skip(uint64_t n) {
  if (state_ != State::Data || n > remaining_) return false;
  remaining_ -= n;
  decoded_ += n;
  if (remaining_ == 0) state_ = State::DataCr;
  return true;
}

}  // namespace sockwarden
