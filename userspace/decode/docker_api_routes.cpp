#include "decode/docker_api_routes.h"

#include <cctype>
#include <vector>

#include "decode/json_depth.h"

namespace sockwarden {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') i++;  // Docker's router cleans "//" too
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_version_segment(std::string_view s) {
  if (s.size() < 2 || s[0] != 'v' || !std::isdigit(static_cast<unsigned char>(s[1]))) return false;
  for (char c : s.substr(1))
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return false;
  return true;
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string path_object(const std::string& path) {
  std::string p = path;
  if (p.rfind("/libpod", 0) == 0) p.erase(0, 7);
  auto a = p.find('/', 1);
  if (a == std::string::npos) return {};
  auto b = p.find('/', a + 1);
  return p.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
}

std::string query_param(std::string_view query, std::string_view key) {
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view kv = query.substr(i, amp - i);
    size_t eq = kv.find('=');
    std::string_view k = kv.substr(0, eq);
    if (percent_decode(k) == key) return eq == std::string_view::npos ? std::string{} : percent_decode(kv.substr(eq + 1));
    i = amp + 1;
  }
  return {};
}

std::vector<std::string> query_params(std::string_view query, std::string_view key, size_t max) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= query.size() && out.size() < max) {
    size_t amp = query.find('&', i);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view kv = query.substr(i, amp - i);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos && percent_decode(kv.substr(0, eq)) == key)
      out.push_back(percent_decode(kv.substr(eq + 1)));
    i = amp + 1;
  }
  return out;
}

SplitTarget split_target(std::string_view target) {
  SplitTarget t;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (q != std::string_view::npos) t.query = std::string(target.substr(q + 1));
  // Docker's mux matches the version prefix "/v{version:[0-9.]+}".
  if (path.size() > 2 && path[0] == '/') {
    size_t end = path.find('/', 1);
    std::string_view first = path.substr(1, end == std::string_view::npos ? path.size() - 1 : end - 1);
    if (is_version_segment(first)) {
      t.api_version = std::string(first.substr(1));
      path = end == std::string_view::npos ? std::string_view("/") : path.substr(end);
    }
  }
  t.path = percent_decode(path);
  // percent_decode turns '+' into ' ': undo for paths (only queries use '+').
  for (size_t i = 0, j = 0; i < path.size() && j < t.path.size(); i++, j++) {
    if (path[i] == '+') t.path[j] = '+';
    else if (path[i] == '%' && i + 2 < path.size()) i += 2;
  }
  return t;
}

std::string docker_operation(std::string_view method, std::string_view path) {
  auto seg = segments(path);
  // podman's libpod API: /libpod/containers/create, /libpod/images/pull, ...
  bool libpod = !seg.empty() && seg[0] == "libpod";
  if (libpod) seg.erase(seg.begin());
  auto at = [&](size_t i) -> std::string_view { return i < seg.size() ? seg[i] : std::string_view{}; };
  bool post = ieq(method, "POST"), get = ieq(method, "GET") || ieq(method, "HEAD"), put = ieq(method, "PUT");
  size_t n = seg.size();
  if (n == 0) return "other";
  if (at(0) == "_ping") return "ping";
  if (at(0) == "containers") {
    if (n == 2 && at(1) == "create" && post) return "container-create";
    if (n == 3) {
      if (at(2) == "exec" && post) return "exec-create";
      if (at(2) == "attach" && post) return "container-attach";
      if (at(2) == "archive" && put) return "archive-upload";
      if (at(2) == "archive" && get) return "archive-download";
      if (at(2) == "json" && get) return "container-inspect";
      if (at(2) == "logs" && get) return "container-logs";
      if (at(2) == "export" && get) return "container-export";
      if (at(2) == "start" && post) return "container-start";
      if (at(2) == "update" && post) return "container-update";
      if (at(2) == "copy" && post) return "archive-download";  // pre-1.24 API, still routed by old daemons
    }
  }
  if (at(0) == "exec" && n == 3) {
    if (at(2) == "start" && post) return "exec-start";
    if (at(2) == "json" && get) return "exec-inspect";
  }
  if (at(0) == "images") {
    if (n == 2 && at(1) == "create" && post) return "image-pull";
    if (libpod && n == 2 && at(1) == "pull" && post) return "image-pull";
    if (n == 2 && at(1) == "load" && post) return "image-load";
    if (libpod && n == 2 && at(1) == "build" && post) return "image-build";
    // The name may hold '/' ("local/app:1"): dockerd's route is /images/{name:.*}/tag.
    if (n >= 3 && seg.back() == "tag" && post) return "image-tag";
  }
  if (at(0) == "build" && post) return "image-build";
  if (at(0) == "plugins") {
    if (n == 2 && (at(1) == "pull") && post) return "plugin-install";
    if (n == 2 && at(1) == "create" && post) return "plugin-install";
    // The name may hold '/' ("vieux/sshfs:latest"): dockerd's route is /plugins/{name:.*}/enable.
    if (n >= 3 && (seg.back() == "enable" || seg.back() == "upgrade" || seg.back() == "set") && post)
      return "plugin-install";
  }
  // BuildKit: the connection is upgraded to a session / HTTP/2 gRPC stream.
  if (at(0) == "session" && post) return "session";
  if (at(0) == "grpc" && post) return "grpc-session";
  if (at(0) == "swarm") return "swarm";
  if (at(0) == "secrets") return "secret";
  if (at(0) == "configs") return "config";
  return "other";
}

bool docker_hijacks(const DecodedRequest& r) {
  std::string op = docker_operation(r.method, r.path);
  if (op == "container-attach" || op == "session" || op == "grpc-session") return true;
  if (op == "exec-start") {
    // dockerd hijacks unless the body asks for a detached start.
    auto j = json_depth_within(r.body) ? nlohmann::json::parse(r.body, nullptr, false)
                                       : nlohmann::json(nlohmann::json::value_t::discarded);
    if (j.is_object())
      for (auto& [k, v] : j.items())
        if (ieq(k, "Detach") && v.is_boolean() && v.get<bool>()) return false;
    return true;
  }
  return false;
}

}  // namespace sockwarden
