// Incremental HTTP/1.x request parser for one connection's client->daemon
// byte stream, parsing like dockerd (Go net/http) does rather than like a
// happy-path parser:
//  - leading CR/LF before a request line are skipped; bare LF line ends accepted;
//  - Transfer-Encoding: chunked wins over Content-Length (HTTP/1.1); HTTP/1.0
//    ignores Transfer-Encoding, as Go does; no length means no body;
//  - conflicting Content-Length values, a length with chunked, unknown codings,
//    header names with whitespace before the colon: the daemon answers 400/501
//    or disagrees with a naive reader: flagged as anomalies, never skipped silently;
//  - Expect: 100-continue whose body never comes (the client got a final answer
//    and sent its next request instead) is detected at the next write;
//  - after attach / exec start / Upgrade the connection carries a raw terminal
//    stream: nothing more is parsed (as in the daemon).
// Memory per connection is bounded by the request budget: bodies beyond it are
// counted, not kept, and the request is marked truncated.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decode/chunked_body.h"
#include "model/decoded_request.h"

namespace sockwarden {

class Http1Parser {
 public:
  explicit Http1Parser(size_t budget) : budget_(budget) {}

  // One write's captured bytes, in stream order. origin: token of that write.
  void feed(std::string_view data, uint64_t origin, std::vector<DecodedRequest>& out);
  // n bytes of the stream were not captured (cut at the capture cap, unreadable).
  void gap(uint64_t n, std::vector<DecodedRequest>& out);
  // The connection is gone (or expired): emit the request in progress, if any.
  void finish(std::vector<DecodedRequest>& out);

  // The stream is joined mid-way (connection older than the agent, or evicted):
  // wait for something that starts like a request.
  void start_lost() { state_ = State::Lost; }
  // Origin of the request in progress, if one is.
  bool pending_origin(uint64_t& origin) const {
    origin = cur_.origin;
    return in_request_;
  }

  bool hijacked() const { return state_ == State::Hijacked; }
  bool lost_sync() const { return state_ == State::Lost; }
  // Bytes held for the request in progress (for memory accounting).
  size_t held_bytes() const { return line_.size() + cur_.body.size() + cur_.target.size(); }
  uint64_t ignored_bytes() const { return ignored_; }

  // Whether data starts like a request line Go would parse ("GET /", "POST /v1...").
  // With allow_prefix, data too short to decide ("GE") counts as plausible.
  static bool plausible_request_start(std::string_view data, bool allow_prefix = false);

 private:
  enum class State { RequestLine, Headers, Body, Chunked, Hijacked, Lost };
  void start_request(uint64_t origin);
  void on_line(std::string_view line, std::vector<DecodedRequest>& out);
  bool parse_request_line(std::string_view line);
  void on_header(std::string_view name, std::string_view value);
  void end_of_headers(std::vector<DecodedRequest>& out);
  void complete(std::vector<DecodedRequest>& out);
  void lose_sync(std::vector<DecodedRequest>& out, const char* anomaly);

  size_t budget_;
  State state_ = State::RequestLine;
  DecodedRequest cur_;
  bool in_request_ = false;  // request line started
  std::string line_;         // current line (bounded)
  bool line_overflow_ = false;
  size_t head_bytes_ = 0;    // request line + headers so far
  std::string last_header_;  // for obs-fold continuation lines
  std::vector<std::string> content_lengths_;
  std::vector<std::string> transfer_encodings_;
  bool expect_continue_ = false;
  bool upgrade_ = false;
  uint64_t body_remaining_ = 0;
  ChunkedBody chunked_;
  uint64_t ignored_ = 0;
};

}  // namespace sockwarden
