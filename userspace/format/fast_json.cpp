#include "format/fast_json.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "enrich/boot_clock.h"
#include "events.h"
#include "format/container_fields.h"
#include "format/ecs_json.h"
#include "model/flag_names.h"
#include "format/payload_escape.h"

namespace sockwarden {
namespace {

// A JSON string as nlohmann's dump(-1, ' ', false, replace) writes it. Plain
// ASCII is escaped here; a string with any byte >= 0x80 goes through
// nlohmann itself, so UTF-8 validation and U+FFFD replacement stay identical.
void str(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) {
      out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

template <typename T>
void num(std::string& out, T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// "key": with the comma that separates it from the previous member.
void key(std::string& out, const char* k, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += k;
  out += "\":";
}

// "k":"v" only when v is non-empty (the tree path omits empty fields); `first` tracks the comma.
void opt_str(std::string& out, const char* k, const std::string& v, bool& first) {
  if (v.empty()) return;
  key(out, k, first);
  first = false;
  str(out, v);
}

void str_array(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (size_t i = 0; i < v.size(); i++) {
    if (i) out += ',';
    str(out, v[i]);
  }
  out += ']';
}

void process_object(std::string& out, const Event& e) {
  const RawEvent& r = e.raw;
  const ProcessInfo& p = e.process;
  out += '{';
  bool first = true;
  if (!p.args.empty()) {
    key(out, "args", first);
    first = false;
    str_array(out, p.args);
  }
  opt_str(out, "command_line", p.command_line, first);
  opt_str(out, "executable", p.executable, first);
  key(out, "name", first);
  str(out, p.name.empty() ? r.comm : p.name);
  key(out, "parent");
  out += '{';
  bool pfirst = true;
  if (!p.ancestors.empty()) {
    const auto& parent = p.ancestors.front();
    opt_str(out, "executable", parent.executable, pfirst);
    opt_str(out, "name", parent.name, pfirst);
  }
  key(out, "pid", pfirst);
  num(out, r.ppid);
  out += '}';
  key(out, "pid");
  num(out, r.tgid);
  if (p.start_realtime_ns) {
    key(out, "start");
    str(out, rfc3339_utc(p.start_realtime_ns));
  }
  key(out, "thread");
  out += "{\"id\":";
  num(out, r.pid);
  out += "}}";
}

void event_object(std::string& out, const Event& e) {
  out += "{\"action\":";
  str(out, e.action);
  out += ",\"category\":[\"network\",\"process\"],\"dataset\":\"sockwarden.socket\",\"kind\":\"event\","
         "\"module\":\"sockwarden\",\"outcome\":";
  str(out, e.outcome.empty() ? std::string_view("unknown") : std::string_view(e.outcome));
  out += ",\"type\":";
  if (e.action == "connect" && (e.raw.flags & SW_F_DENIED))
    out += "[\"connection\",\"denied\"]";
  else if (e.action == "connect" || e.action == "existing-connection")
    out += "[\"connection\"]";
  else
    out += "[\"access\"]";  // send, reply
  out += '}';
}

void sockwarden_object(std::string& out, const Event& e, const nlohmann::json* container_sw) {
  const RawEvent& r = e.raw;
  out += "{\"bytes\":";
  num(out, r.bytes);
  out += ",\"cgroup\":{\"id\":";
  num(out, r.cgroup_id);
  out += ",\"path\":";
  str(out, e.cgroup_path);
  out += "},\"connection\":";
  num(out, r.client_sock_ino);
  if (container_sw) {
    key(out, "container");
    out += container_sw->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (e.error) {
    key(out, "error");
    str(out, *e.error);
  }
  if (!e.expected_by.empty()) {
    key(out, "expected_by");
    str(out, e.expected_by);
  }
  key(out, "fd");
  if (r.fd < 0)
    out += "null";
  else
    num(out, r.fd);
  key(out, "flags");
  str_array(out, event_flag_names(e));
  out += ",\"namespaces\":{\"mnt\":";
  num(out, r.mntns);
  out += ",\"net\":";
  num(out, r.netns);
  out += ",\"pid\":";
  num(out, r.pidns);
  out += '}';
  // A successful connect carries no bytes; an empty "payload" there would only
  // suggest that something was captured (as in to_ecs_json).
  if (!((e.action == "connect" || e.action == "existing-connection") && r.payload.empty())) {
    key(out, "payload");
    str(out, escape_payload(r.payload));
  }
  key(out, "payload_captured");
  num(out, r.payload.size());
  out += ",\"process\":{\"ancestors\":[";
  for (size_t i = 0; i < e.process.ancestors.size(); i++) {
    const auto& a = e.process.ancestors[i];
    if (i) out += ',';
    out += '{';
    if (!a.executable.empty()) {
      key(out, "executable", true);
      str(out, a.executable);
      key(out, "name");
    } else {
      key(out, "name", true);
    }
    str(out, a.name);
    key(out, "pid");
    num(out, a.pid);
    out += '}';
  }
  out += ']';
  if (e.process.loginuid != UINT32_MAX) {
    key(out, "audit_login_uid");
    num(out, e.process.loginuid);
  }
  if (e.process.sessionid != UINT32_MAX) {
    key(out, "audit_session_id");
    num(out, e.process.sessionid);
  }
  out += '}';
  if (r.flags & SW_F_RESULT_KNOWN) {
    key(out, "result");
    num(out, r.result);
  }
  out += ",\"socket\":{\"abstract\":";
  out += (r.flags & SW_F_ABSTRACT) ? "true" : "false";
  out += ",\"device\":\"";
  num(out, r.sock_dev >> 20);
  out += ':';
  num(out, r.sock_dev & 0xfffff);
  out += "\",\"inode\":";
  num(out, r.sock_ino);
  out += ",\"path\":";
  str(out, e.socket_path);
  out += "},\"tier\":";
  str(out, e.tier);
  out += '}';
}

}  // namespace

bool write_socket_event_json(const Event& e, std::string& out) {
  if (e.request || e.relay) return false;  // relay callers are rare: the tree writes sockwarden.relay
  if (e.action != "connect" && e.action != "send" && e.action != "reply" && e.action != "existing-connection")
    return false;
  const RawEvent& r = e.raw;
  // Container fields are rare on a busy socket and varied: the tree builds them
  // (add_container_fields), the top-level members they add are placed by name.
  nlohmann::json cj = nlohmann::json::object();
  if (e.container) add_container_fields(cj, *e.container);
  const nlohmann::json* container_sw = nullptr;
  if (auto it = cj.find("sockwarden"); it != cj.end()) {
    if (!it->is_object() || it->size() != 1 || !it->contains("container")) return false;
    container_sw = &(*it)["container"];
  }
  for (auto it = cj.begin(); it != cj.end(); ++it)
    if (it.key() != "container" && it.key() != "orchestrator" && it.key() != "sockwarden") return false;
  auto dump_member = [&](const char* k) {
    auto it = cj.find(k);
    if (it == cj.end()) return;
    key(out, k);
    out += it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };

  out.reserve(out.size() + 1536);
  out += "{\"@timestamp\":";
  str(out, rfc3339_utc(e.realtime_ns));
  dump_member("container");
  out += ",\"ecs\":{\"version\":\"";
  out += kEcsVersion;
  out += "\"},\"event\":";
  event_object(out, e);
  out += ",\"group\":{\"id\":\"";
  num(out, r.gid);
  out += "\"}";
  dump_member("orchestrator");
  key(out, "process");
  process_object(out, e);
  key(out, "sockwarden");
  sockwarden_object(out, e, container_sw);
  out += ",\"user\":{\"effective\":{\"id\":\"";
  num(out, r.euid);
  out += "\"},\"id\":\"";
  num(out, r.uid);
  out += "\"}}";
  return true;
}

}  // namespace sockwarden
