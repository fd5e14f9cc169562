// `doctor --json`: the report as one JSON object, the shape of
// schema/sockwarden-doctor.schema.json (keep the two in step; docs/doctor.md
// documents each field). Key order is fixed (ordered_json) so that the output
// diffs cleanly between hosts and runs.
#include <sstream>

#include "capture/errors.h"
#include "commands/doctor.h"
#include "format/safe_text.h"

namespace sockwarden {

namespace {

using Json = nlohmann::ordered_json;

// Increment on any incompatible change of the shape (a field removed,
// renamed or retyped); new fields do not change it.
constexpr int kDoctorSchemaVersion = 1;

Json nullable(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

Json lsm_names(const std::string& list) {
  Json names = Json::array();
  std::stringstream items(list);
  std::string item;
  while (std::getline(items, item, ','))
    if (!item.empty()) names.push_back(item);
  return names;
}

Json socket_path(const DoctorSocketPath& p) {
  Json j{{"path", p.path}, {"exists", p.exists}, {"is_socket", p.is_socket}};
  if (p.inode) j["inode"] = static_cast<uint64_t>(*p.inode);
  if (p.dev) j["device"] = std::to_string(*p.dev >> 20) + ":" + std::to_string(*p.dev & 0xfffff);
  return j;
}

}  // namespace

std::string doctor_json(const DoctorReport& r) {
  Json caps = Json::object();
  for (const auto& [name, has] : r.capabilities) caps[name] = has;
  // check_privileges_and_btf fails with 3 (privileges, checked first) or 4 (no BTF).
  const bool privileges_failed = r.check_code == kExitPermission;
  const bool btf_failed = r.check_code == kExitUnsupported;
  Json privileges{{"euid", r.euid},
                  {"root", r.euid == 0},
                  {"ok", !privileges_failed},
                  {"capabilities", caps},
                  {"error", privileges_failed ? Json(r.check_error) : Json(nullptr)},
                  {"hint", privileges_failed ? Json(r.check_hint) : Json(nullptr)}};

  Json tiers = Json::array();
  for (const auto& t : r.tiers)
    tiers.push_back(Json{{"name", t.name},
                         {"loads", t.loads},
                         {"tried", t.tried},
                         {"reasons", t.reasons},
                         {"without", t.without},
                         {"hooks", t.hooks},
                         {"needs", t.needs},
                         {"enforcement_level", t.enforcement_level},
                         {"enforcement", t.enforcement},
                         {"variant", t.variant.empty() ? Json(nullptr) : Json(t.variant)},
                         {"refused_connects", t.loads ? Json(t.refused_connects) : Json(nullptr)},
                         {"payload_source", t.loads ? Json(t.payload_source) : Json(nullptr)},
                         {"io_uring", t.loads ? Json(t.io_uring) : Json(nullptr)},
                         {"weaker", t.weaker}});
  Json features = Json::array();
  for (const auto& f : r.features)
    features.push_back(Json{{"name", f.name}, {"what", f.what}, {"present", f.present}, {"floor", f.floor},
                            {"without", f.without}});

  Json sockets = Json::array();
  for (const auto& s : r.sockets) {
    Json paths = Json::array();
    for (const auto& p : s.paths) paths.push_back(socket_path(p));
    sockets.push_back(Json{{"spec", s.spec},
                           {"source", s.from_default ? "default" : "option"},
                           {"kind", s.abstract ? "abstract" : s.glob ? "glob" : "path"},
                           {"paths", paths}});
  }

  const std::string selected = r.selected();
  Json doc{
      {"schema_version", kDoctorSchemaVersion},
      {"host_root", r.host_root.empty() ? "/" : r.host_root},
      {"kernel", {{"release", r.kernel_release}, {"machine", r.kernel_machine}}},
      {"privileges", privileges},
      {"btf",
       {{"present", r.btf_present},
        {"path", r.btf_path},
        {"error", btf_failed ? Json(r.check_error) : Json(nullptr)}}},
      {"cgroup_v2", {{"mounted", r.cgroup2.has_value()}, {"path", nullable(r.cgroup2)}}},
      {"lsm",
       {{"readable", r.lsm_list.has_value()},
        {"path", r.lsm_source},
        {"active", r.lsm_list ? lsm_names(*r.lsm_list) : Json::array()},
        {"bpf_active", r.bpf_lsm ? Json(*r.bpf_lsm) : Json(nullptr)}}},
      {"kernel_features", features},
      {"below_floor", r.features.empty() ? Json(nullptr) : Json(r.below_floor())},
      {"bpf_build",
       r.variant.name.empty() ? Json(nullptr)
                              : Json{{"name", r.variant.name},
                                     {"missing", r.variant.missing},
                                     {"forced_by", r.variant.forced.empty() ? Json(nullptr) : Json(r.variant.forced)}}},
      {"tiers", tiers},
      {"selected_tier", selected.empty() ? Json(nullptr) : Json(selected)},
      {"sockets", sockets},
      {"exit_code", r.exit_code()},
  };
  return safe_dump(doc);
}

}  // namespace sockwarden
