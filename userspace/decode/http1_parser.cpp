#include "decode/http1_parser.h"

#include <algorithm>
#include <cctype>

#include "decode/docker_api_routes.h"

namespace sockwarden {
namespace {

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Go's strconv.ParseUint(v, 10, 63) as net/http uses it for Content-Length.
bool parse_length(std::string_view v, uint64_t& out) {
  if (v.empty() || v.size() > 18) return false;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  out = n;
  return true;
}

}  // namespace

bool Http1Parser::plausible_request_start(std::string_view d, bool allow_prefix) {
  int skipped = 0;
  while (!d.empty() && (d.front() == '\r' || d.front() == '\n') && skipped < 4) {
    d.remove_prefix(1);
    skipped++;
  }
  size_t i = 0;
  while (i < d.size() && i < 16 && d[i] >= 'A' && d[i] <= 'Z') i++;
  if (i == d.size()) return allow_prefix;
  if (i == 0 || d[i] != ' ') return false;
  if (i + 1 == d.size()) return allow_prefix;
  return d[i + 1] == '/' || d[i + 1] == '*' || d[i + 1] == 'h';
}

void Http1Parser::start_request(uint64_t origin) {
  cur_ = DecodedRequest{};
  cur_.origin = origin;
  in_request_ = true;
  line_.clear();
  line_overflow_ = false;
  head_bytes_ = 0;
  last_header_.clear();
  content_lengths_.clear();
  transfer_encodings_.clear();
  expect_continue_ = false;
  upgrade_ = false;
  body_remaining_ = 0;
  chunked_ = ChunkedBody{};
}

bool Http1Parser::parse_request_line(std::string_view line) {
  // Go: method SP request-target SP HTTP-version, split at the first two spaces.
  size_t s1 = line.find(' ');
  if (s1 == std::string_view::npos || s1 == 0) return false;
  size_t s2 = line.find(' ', s1 + 1);
  if (s2 == std::string_view::npos) return false;
  std::string_view method = line.substr(0, s1), target = line.substr(s1 + 1, s2 - s1 - 1),
                   version = line.substr(s2 + 1);
  if (!std::all_of(method.begin(), method.end(), is_token_char) || target.empty()) return false;
  if (version == "HTTP/1.1") cur_.protocol = "http/1.1";
  else if (version == "HTTP/1.0") cur_.protocol = "http/1.0";
  else if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && std::isdigit((unsigned char)version[5]) &&
           version[6] == '.' && std::isdigit((unsigned char)version[7])) {
    cur_.protocol = lower(version);
    cur_.add_anomaly("unusual-http-version");
  } else {
    return false;
  }
  cur_.method = std::string(method);
  cur_.target = std::string(target);
  return true;
}

void Http1Parser::on_header(std::string_view name, std::string_view value) {
  // Header lines keep coming after --request-budget is spent, so what is kept per
  // request must not grow with them: distinct Content-Length values (two already
  // mean a conflict) and a few Transfer-Encoding codings, each cut short. Cutting
  // keeps the verdicts: a value that long is no valid length, and a coding that
  // long is not "chunked".
  constexpr size_t kMaxValue = 32, kMaxDistinctLengths = 2, kMaxCodings = 8;
  if (ieq(name, "Content-Length")) {
    std::string v = value.size() > kMaxValue ? std::string("\x01too-long") : std::string(trim(value));
    if (content_lengths_.size() < kMaxDistinctLengths &&
        std::find(content_lengths_.begin(), content_lengths_.end(), v) == content_lengths_.end())
      content_lengths_.push_back(std::move(v));
  } else if (ieq(name, "Transfer-Encoding")) {
    size_t i = 0;
    while (i <= value.size() && transfer_encodings_.size() < kMaxCodings) {
      size_t c = value.find(',', i);
      if (c == std::string_view::npos) c = value.size();
      auto t = trim(value.substr(i, c - i));
      if (!t.empty()) transfer_encodings_.push_back(lower(t.substr(0, kMaxValue)));
      i = c + 1;
    }
    if (value.empty() && transfer_encodings_.size() < kMaxCodings) transfer_encodings_.push_back("");
  } else if (ieq(name, "User-Agent")) {
    if (cur_.user_agent.empty()) cur_.user_agent = std::string(value.substr(0, 512));
  } else if (ieq(name, "Expect")) {
    if (ieq(value, "100-continue")) expect_continue_ = true;
  } else if (ieq(name, "Upgrade")) {
    upgrade_ = true;
    cur_.summary["upgrade"] = std::string(value.substr(0, 64));
  } else if (ieq(name, "Content-Encoding")) {
    if (!ieq(value, "identity")) cur_.add_anomaly("content-encoding");
  }
}

void Http1Parser::on_line(std::string_view line, std::vector<DecodedRequest>& out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (state_ == State::RequestLine) {
    if (line_overflow_ || !parse_request_line(line)) {
      // What the daemon would answer 400 to: report it once, then wait for
      // something that looks like HTTP again.
      cur_.method.clear();
      cur_.target = std::string(line.substr(0, 256));
      cur_.operation = "unparsed";
      cur_.unparsed_body = true;
      cur_.add_anomaly(line_overflow_ ? "request-line-too-long" : "bad-request-line");
      out.push_back(std::move(cur_));
      in_request_ = false;
      state_ = State::Lost;
      return;
    }
    state_ = State::Headers;
    return;
  }
  // Headers
  if (line.empty()) {
    end_of_headers(out);
    return;
  }
  if (line.front() == ' ' || line.front() == '\t') {
    cur_.add_anomaly("obs-fold");
    return;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    cur_.add_anomaly("bad-header");
    return;
  }
  std::string_view name = line.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(), is_token_char)) {
    // "Content-Length : 5": Go rejects it (400), a lax proxy may honour it.
    cur_.add_anomaly("bad-header-name");
    name = trim(name);
  }
  on_header(name, trim(line.substr(colon + 1)));
}

void Http1Parser::end_of_headers(std::vector<DecodedRequest>& out) {
  bool http11 = cur_.protocol != "http/1.0";
  bool fatal = false;  // the daemon answers an error and closes: nothing after is parsed
  bool chunked = false;
  if (!transfer_encodings_.empty()) {
    if (!http11) {
      cur_.add_anomaly("transfer-encoding-ignored-http10");
    } else if (transfer_encodings_.size() == 1 && transfer_encodings_[0] == "chunked") {
      chunked = true;
    } else {
      cur_.add_anomaly("unsupported-transfer-encoding");  // Go: 501, connection closed
      fatal = true;
    }
  }
  uint64_t length = 0;
  bool have_length = false;
  if (!content_lengths_.empty()) {
    std::string first(trim(content_lengths_[0]));
    bool same = std::all_of(content_lengths_.begin(), content_lengths_.end(),
                            [&](const std::string& v) { return trim(v) == first; });
    if (!same) {
      cur_.add_anomaly("conflicting-content-length");  // Go: 400
      fatal = true;
    } else if (!parse_length(first, length)) {
      cur_.add_anomaly("bad-content-length");
      fatal = true;
    } else {
      have_length = true;
      cur_.content_length = length;
    }
    if (chunked) cur_.add_anomaly("content-length-with-chunked");  // chunked wins, as in Go
  }
  if (expect_continue_) cur_.summary["expect_continue"] = true;
  if (fatal) {
    cur_.unparsed_body = true;
    complete(out);
    state_ = State::Lost;
    return;
  }
  if (chunked) {
    cur_.chunked = true;
    state_ = State::Chunked;
    return;
  }
  if (have_length && length > 0) {
    body_remaining_ = length;
    state_ = State::Body;
    return;
  }
  complete(out);
}

void Http1Parser::complete(std::vector<DecodedRequest>& out) {
  auto t = split_target(cur_.target);
  cur_.path = std::move(t.path);
  cur_.query = std::move(t.query);
  cur_.api_version = std::move(t.api_version);
  if (cur_.body.size() < cur_.body_bytes) cur_.truncated = true;
  bool hijack = !cur_.method.empty() && docker_hijacks(cur_);
  out.push_back(std::move(cur_));
  cur_ = DecodedRequest{};
  in_request_ = false;
  line_.clear();
  state_ = hijack ? State::Hijacked : State::RequestLine;
}

void Http1Parser::lose_sync(std::vector<DecodedRequest>& out, const char* anomaly) {
  if (in_request_ && state_ != State::RequestLine) {
    cur_.truncated = true;
    cur_.unparsed_body = true;
    cur_.add_anomaly(anomaly);
    complete(out);
  }
  in_request_ = false;
  line_.clear();
  state_ = State::Lost;
}

void Http1Parser::feed(std::string_view data, uint64_t origin, std::vector<DecodedRequest>& out) {
  // A 100-continue body that never came: the client got a final answer and
  // went on with its next request.
  if (state_ == State::Body && expect_continue_ && cur_.body_bytes == 0 && plausible_request_start(data)) {
    cur_.add_anomaly("expect-continue-body-not-sent");
    body_remaining_ = 0;
    complete(out);
  }
  if (state_ == State::Lost) {
    if (!plausible_request_start(data)) {
      ignored_ += data.size();
      return;
    }
    state_ = State::RequestLine;
  }
  while (!data.empty()) {
    switch (state_) {
      case State::RequestLine:
        if (!in_request_) {
          // Go tolerates up to 4 CR/LF before a request line (RFC 9112 section 2.2).
          int skipped = 0;
          while (!data.empty() && (data.front() == '\r' || data.front() == '\n') && skipped < 4) {
            data.remove_prefix(1);
            skipped++;
          }
          if (data.empty()) return;
          start_request(origin);
          if (!plausible_request_start(data, true)) {
            // Not a request where one must start: garbage, or body bytes the
            // declared length did not cover (the AuthZ-bypass shape). The daemon
            // answers 400 and closes; report it once and wait for HTTP again.
            cur_.target = std::string(data.substr(0, std::min<size_t>(data.substr(0, data.find('\n')).size(), 256)));
            cur_.operation = "unparsed";
            cur_.unparsed_body = true;
            cur_.add_anomaly("bad-request-line");
            out.push_back(std::move(cur_));
            cur_ = DecodedRequest{};
            in_request_ = false;
            state_ = State::Lost;
            ignored_ += data.size();
            return;
          }
        }
        [[fallthrough]];
      case State::Headers: {
        size_t nl = data.find('\n');
        size_t take = nl == std::string_view::npos ? data.size() : nl;
        head_bytes_ += take + (nl == std::string_view::npos ? 0 : 1);
        size_t room = budget_ - std::min(budget_, line_.size());
        if (take > room) line_overflow_ = true;
        line_.append(data.substr(0, std::min(take, room)));
        if (head_bytes_ > budget_) cur_.truncated = true;
        data.remove_prefix(take);
        if (nl == std::string_view::npos) break;
        data.remove_prefix(1);
        std::string line = std::move(line_);
        line_.clear();
        on_line(line, out);
        line_overflow_ = false;
        if (state_ == State::Lost) {
          ignored_ += data.size();
          return;
        }
        break;
      }
      case State::Body: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(body_remaining_, data.size()));
        if (cur_.body.size() < budget_) cur_.body.append(data.substr(0, std::min(n, budget_ - cur_.body.size())));
        cur_.body_bytes += n;
        body_remaining_ -= n;
        data.remove_prefix(n);
        if (body_remaining_ == 0) complete(out);
        break;
      }
      case State::Chunked: {
        auto st = chunked_.feed(data, cur_.body, budget_);
        cur_.body_bytes = chunked_.decoded();
        if (st == ChunkedBody::Status::Done) {
          complete(out);
        } else if (st == ChunkedBody::Status::Error) {
          std::string why = "bad-chunked:" + chunked_.error();
          cur_.unparsed_body = true;
          cur_.add_anomaly(why);
          complete(out);
          state_ = State::Lost;  // Go answers 400 and closes
          ignored_ += data.size();
          return;
        }
        break;
      }
      case State::Hijacked:
      case State::Lost:
        ignored_ += data.size();
        return;
    }
  }
}

void Http1Parser::gap(uint64_t n, std::vector<DecodedRequest>& out) {
  if (n == 0) return;
  switch (state_) {
    case State::Hijacked:
    case State::Lost:
      ignored_ += n;
      return;
    case State::Body:
      cur_.truncated = true;
      if (n <= body_remaining_) {
        // The framing survives: the missing bytes are body bytes of known length.
        body_remaining_ -= n;
        cur_.body_bytes += n;
        if (body_remaining_ == 0) complete(out);
        return;
      }
      cur_.body_bytes += body_remaining_;
      body_remaining_ = 0;
      complete(out);
      state_ = State::Lost;
      return;
    case State::Chunked:
      if (chunked_.skip(n)) {
        cur_.truncated = true;
        cur_.body_bytes = chunked_.decoded();
        return;
      }
      lose_sync(out, "capture-gap");
      return;
    case State::RequestLine:
    case State::Headers:
      if (!in_request_) {
        state_ = State::Lost;
        return;
      }
      if (state_ == State::RequestLine) {
        in_request_ = false;
        line_.clear();
        state_ = State::Lost;
        return;
      }
      lose_sync(out, "capture-gap");
      return;
  }
}

void Http1Parser::finish(std::vector<DecodedRequest>& out) {
  if (in_request_ && (state_ == State::Headers || state_ == State::Body || state_ == State::Chunked)) {
    cur_.truncated = true;
    cur_.add_anomaly("incomplete-at-close");
    complete(out);
  }
  in_request_ = false;
  state_ = State::RequestLine;
}

}  // namespace sockwarden
