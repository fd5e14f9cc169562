// containerd's Tasks/Exec and Tasks/Start of an exec process (containerd's own gRPC API:
// `ctr task exec`, nerdctl exec, any client), read as Docker's exec create/start are
// (decode/docker_exec_summary): the target container, the exec id, and the process the
// caller asked for. Its effect, the process runc really started, comes from the kernel's
// exec record (agent/request_effects, agent/runtime_execs).
//
// Field numbers from containerd api/services/tasks/v1/tasks.proto:
//   ExecProcessRequest { container_id = 1; stdin = 2; stdout = 3; stderr = 4; terminal = 5;
//                        google.protobuf.Any spec = 6; exec_id = 7; }
//   StartRequest       { container_id = 1; exec_id = 2; }
// The Any's value (field 2) is an OCI runtime-spec Process as JSON (containerd registers the
// OCI types with a JSON codec), which the runc shim hands to `runc exec --process`.
#pragma once
#include <string_view>

#include "decode/json_ci.h"
#include "model/decoded_request.h"

namespace sockwarden {

// Tasks/Exec: operation "containerd-task-exec". 'message' may be cut by the payload cap
// (complete=false): the container id comes first and is still read; the spec and the exec id
// after it are then unread (unparsed_body), as for a padded Docker exec create.
void summarize_containerd_exec(DecodedRequest& r, std::string_view message, bool complete);

// Tasks/Start naming an exec process (exec_id set): operation "containerd-exec-start".
// False for the start of a task's own first process (no exec id): not an exec.
bool summarize_containerd_exec_start(DecodedRequest& r, std::string_view message);

// An OCI runtime-spec Process (JSON): command, uid, environment names, capabilities,
// noNewPrivileges, AppArmor profile. CAP_SYS_ADMIN in any of its capability sets reads as
// privileged: the same test the exec record's CapEff gets (agent/runtime_execs), so that the
// two readings are compared in one vocabulary.
void summarize_exec_process(DecodedRequest& r, const Json& process);

}  // namespace sockwarden
