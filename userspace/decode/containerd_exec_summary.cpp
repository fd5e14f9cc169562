#include "decode/containerd_exec_summary.h"

#include <algorithm>

#include "decode/docker_create_summary.h"
#include "decode/protobuf_wire.h"
#include "decode/risk_flags.h"

namespace sockwarden {
namespace {

// Ids and names from the caller's bytes are bounded before they are kept.
std::string str(std::string_view v) { return std::string(v.substr(0, 4096)); }

// A capability list is the caller's: at most this many entries of each set are looked at
// (the kernel knows 41).
constexpr size_t kMaxCapsPerSet = 64;

}  // namespace

void summarize_exec_process(DecodedRequest& r, const Json& proc) {
  if (!proc.is_object()) {
    r.unparsed_body = true;
    return;
  }
  Json& s = r.summary;
  if (const Json* args = json_member(proc, "args"); args && args->is_array()) s["command"] = *args;
  if (const Json* user = json_member(proc, "user"); user && user->is_object())
    if (const Json* uid = json_member(*user, "uid"); uid && uid->is_number_integer())
      s["user"] = std::to_string(uid->get<int64_t>());
  if (const Json* env = json_member(proc, "env")) s["env"] = env_names(*env);  // names only: values are secrets
  if (const Json* nnp = json_member(proc, "noNewPrivileges"); nnp && nnp->is_boolean())
    s["no_new_privileges"] = nnp->get<bool>();
  if (json_any_true(proc, "terminal")) s["tty"] = true;
  // Every set (and every spelling of a key: Go's encoding/json, which runc uses, matches keys
  // case-insensitively) counts: which of them ends up in the effective set depends on the uid
  // (root's effective set after execve is its bounding set, another user's the ambient set),
  // so the conservative reading is their union.
  std::vector<std::string> caps;
  if (const Json* c = json_member(proc, "capabilities"); c && c->is_object())
    for (const char* set : {"bounding", "effective", "permitted", "inheritable", "ambient"}) {
      auto names = json_strings(*c, set);
      if (names.size() > kMaxCapsPerSet) names.resize(kMaxCapsPerSet);
      for (const auto& n : names) {
        std::string cap = normalize_cap(n.substr(0, 64));
        if (std::find(caps.begin(), caps.end(), cap) == caps.end()) caps.push_back(std::move(cap));
      }
    }
  Json added = Json::array();
  for (const auto& c : caps)
    if (!cap_is_default(c)) added.push_back(c);
  if (!added.empty()) s["cap_add"] = added;
  // CAP_SYS_ADMIN is what the exec record's privilege test looks for (CapEff bit 21), and
  // Docker's privileged exec is the full set: one "privileged" then, not one flag per capability.
  if (std::find(caps.begin(), caps.end(), "SYS_ADMIN") != caps.end()) {
    r.add_risk(risk::kPrivileged);
    s["privileged"] = true;
  } else {
    for (const auto& c : added) r.add_risk(risk::kCapAdd, c.get<std::string>());
  }
  for (const auto& p : json_strings(proc, "apparmorProfile"))
    if (p == "unconfined") r.add_risk(risk::kSecurityUnconfined, "apparmor=unconfined");
}

void summarize_containerd_exec(DecodedRequest& r, std::string_view msg, bool complete) {
  r.operation = "containerd-task-exec";
  r.add_risk(risk::kExec);  // running a process in a container, as Docker's exec create
  // Fields before a cut are whole (PbReader stops at the first value running past the input):
  // the container id (field 1, first as every client encodes it) survives a spec over the cap.
  r.summary["container"] = str(pb_bytes(msg, 1));
  if (auto id = pb_bytes(msg, 7); !id.empty()) r.summary["exec_id"] = str(id);
  if (pb_varint(msg, 5)) r.summary["tty"] = true;
  // A cut message is not wholly read, even when a whole spec precedes the cut: protobuf lets a
  // later occurrence of field 6 (or 1, or 7) replace an earlier one, so what the cut hid may
  // be the spec (or the container) containerd used. Unread, as for a padded Docker exec create.
  if (!complete) r.unparsed_body = true;
  auto spec = pb_bytes(msg, 6);
  if (spec.empty()) {
    if (complete) r.add_anomaly("no-spec");
    return;
  }
  // google.protobuf.Any { type_url = 1; value = 2; }: the value is the Process as JSON.
  Json process = parse_json_body(pb_bytes(spec, 2));
  if (process.is_discarded()) {
    r.unparsed_body = true;
    return;
  }
  summarize_exec_process(r, process);
}

bool summarize_containerd_exec_start(DecodedRequest& r, std::string_view msg) {
  auto exec_id = pb_bytes(msg, 2);
  if (exec_id.empty()) return false;
  r.operation = "containerd-exec-start";
  r.add_risk(risk::kExec);  // as Docker's exec start
  r.summary["container"] = str(pb_bytes(msg, 1));
  r.summary["exec_id"] = str(exec_id);
  return true;
}

}  // namespace sockwarden
