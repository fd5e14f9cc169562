#include "decode/docker_exec_summary.h"

#include "decode/docker_api_routes.h"
#include "decode/docker_create_summary.h"
#include "decode/risk_flags.h"

namespace sockwarden {

void summarize_exec_create(DecodedRequest& r, const Json& body) {
  r.add_risk(risk::kExec);
  r.summary["container"] = path_object(r.path);
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
  r.summary["exec_id"] = path_object(r.path);
  if (json_any_true(body, "Detach")) r.summary["detach"] = true;
  if (json_any_true(body, "Tty")) r.summary["tty"] = true;
}

}  // namespace sockwarden
