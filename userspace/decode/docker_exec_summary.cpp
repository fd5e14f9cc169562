#include "decode/docker_exec_summary.h"

#include "decode/docker_create_summary.h"
#include "decode/risk_flags.h"

namespace sockwarden {
namespace {
// "/containers/<id>/exec" -> "<id>"; "/exec/<id>/start" -> "<id>".
std::string second_segment(const std::string& path) {
  std::string p = path;
  if (p.rfind("/libpod", 0) == 0) p.erase(0, 7);
  auto a = p.find('/', 1);
  if (a == std::string::npos) return {};
  auto b = p.find('/', a + 1);
  return p.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
}
}  // namespace

void summarize_exec_create(DecodedRequest& r, const Json& body) {
  r.add_risk(risk::kExec);
  r.summary["container"] = second_segment(r.path);
  if (const Json* v = json_member(body, "Cmd"); v && !v->is_null()) r.summary["command"] = *v;
  if (const Json* v = json_member(body, "User"); v && v->is_string() && !v->get<std::string>().empty())
    r.summary["user"] = *v;
  if (const Json* env = json_member(body, "Env"); env && !env->is_null()) r.summary["env"] = env_names(*env);
  if (json_any_true(body, "Privileged")) {
    r.add_risk(risk::kPrivileged);
    r.summary["privileged"] = true;
  }
  if (json_any_true(body, "Tty")) r.summary["tty"] = true;
  if (json_any_true(body, "AttachStdin")) r.summary["stdin"] = true;
}

void summarize_exec_start(DecodedRequest& r, const Json& body) {
  r.add_risk(risk::kExec);
  r.summary["exec_id"] = second_segment(r.path);
  if (json_any_true(body, "Detach")) r.summary["detach"] = true;
  if (json_any_true(body, "Tty")) r.summary["tty"] = true;
}

}  // namespace sockwarden
