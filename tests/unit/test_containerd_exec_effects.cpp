// containerd's exec requests (Tasks/Exec, Tasks/Start of an exec) get their effect from the
// kernel's exec record of the process runc started, as Docker's exec create/start do
// (docs/request-effects.md): the runtime parent naming a containerd task, the records of
// containers whose ids no cgroup layout recognises, and the stage tying an exec request to
// its record by namespace, container and exec id.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "effects_test_util.h"
#include "agent/request_effects.h"
#include "agent/runtime_execs.h"
#include "decode/containerd_exec_summary.h"
#include "decode/risk_flags.h"

namespace sockwarden {
namespace {

namespace fs = std::filesystem;

const std::string kTaskDir = "/run/containerd/io.containerd.runtime.v2.task";

ProcEvent proc(ProcEventKind k, uint32_t tgid, uint32_t ppid, uint64_t cgroup, std::vector<std::string> args,
               uint64_t ts, uint32_t euid = 0) {
  ProcEvent ev;
  ev.kind = k;
  ev.tgid = tgid;
  ev.ppid = ppid;
  ev.cgroup_id = cgroup;
  ev.uid = ev.euid = euid;
  ev.args = std::move(args);
  if (!ev.args.empty()) ev.filename = ev.args[0];
  ev.ts_boot_ns = ts;
  return ev;
}

// runc exec as containerd's runc shim runs it for exec EXEC_ID of task NS/ID.
std::vector<std::string> runc_exec_args(const std::string& ns, const std::string& id, const std::string& exec_id) {
  return {"/usr/sbin/runc", "--root", "/run/containerd/runc/" + ns, "exec", "--process", "/tmp/runc-process1",
          "--detach", "--pid-file", kTaskDir + "/" + ns + "/" + id + "/" + exec_id + ".pid", id};
}

TEST(RuntimeExecsContainerd, TaskNamedByRuncPidFileOrShimArguments) {
  auto t = containerd_task_of_runc_args(runc_exec_args("swtest", "web", "e1"));
  EXPECT_EQ(t.ns, "swtest");
  EXPECT_EQ(t.id, "web");
  EXPECT_EQ(exec_id_from_runc_args(runc_exec_args("swtest", "web", "e1")), "e1");
  EXPECT_EQ(containerd_task_of_runc_args({"runc", "exec", "--pid-file=" + kTaskDir + "/k8s.io/abc/init.pid"}).id, "abc");
  // Not a task bundle, or parts containerd would have refused: nothing.
  for (const std::string& f : {std::string("/run/b/e1.pid"), kTaskDir + "/../web/e1.pid", kTaskDir + "/ns/we b/e1.pid",
                               kTaskDir + "//web/e1.pid", std::string("io.containerd.runtime.v2.task/ns/web/e1.pid"),
                               std::string("/x/io.containerd.runtime.v1.linux/ns/web/e1.pid"), std::string()})
    EXPECT_TRUE(containerd_task_of_runc_args({"runc", "exec", "--pid-file", f}).empty()) << f;
  EXPECT_TRUE(containerd_task_of_runc_args({"runc", "exec", "--pid-file"}).empty());

  auto s = containerd_task_of_shim_args({"/usr/bin/containerd-shim-runc-v2", "-namespace", "swtest", "-id", "web",
                                          "-address", "/run/containerd/containerd.sock"});
  EXPECT_EQ(s.ns, "swtest");
  EXPECT_EQ(s.id, "web");
  EXPECT_EQ(containerd_task_of_shim_args({"shim", "--namespace=k8s.io", "-id=abc"}).id, "abc");
  EXPECT_TRUE(containerd_task_of_shim_args({"shim", "-namespace", "swtest"}).empty());
  EXPECT_TRUE(containerd_task_of_shim_args({"shim", "-namespace", "..", "-id", "web"}).empty());
  EXPECT_TRUE(containerd_task_of_shim_args({"shim", "-namespace", "a", "-id"}).empty());
}

struct ProcRoot {
  fs::path dir = fs::temp_directory_path() / ("sw-procroot-" + std::to_string(getpid()));
  ProcRoot() { fs::create_directories(dir); }
  ~ProcRoot() { fs::remove_all(dir); }
  void status(uint32_t pid, const std::string& cap_eff, const std::string& ns_pid = "7") {
    fs::create_directories(dir / std::to_string(pid));
    std::ofstream(dir / std::to_string(pid) / "status")
        << "Name:\tsh\nNSpid:\t" << pid << (ns_pid.empty() ? "" : "\t" + ns_pid) << "\nCapEff:\t" << cap_eff << "\n";
  }
};

// A host cgroup (10), the container's (20, named by nothing: ctr's /<ns>/<id> with a non-hex
// id), and a recognised container's (30).
struct Host {
  static constexpr uint64_t kHostCg = 10, kCtrCg = 20, kOtherCtrCg = 30;
  ProcRoot proc_root;
  ProcessTable procs{"/nonexistent-proc"};
  RuntimeExecs execs{procs, [](uint64_t cg) { return cg == kOtherCtrCg ? std::string(64, 'a') : std::string(); },
                     proc_root.dir.string()};

  // PARENT (args, euid, cgroup) forks CHILD, which execs ARGS in cgroup CG at TS.
  bool run(uint32_t parent, std::vector<std::string> parent_args, uint32_t child, std::vector<std::string> args,
           uint64_t ts, uint64_t parent_cg = kHostCg, uint32_t parent_euid = 0, uint64_t cg = kCtrCg) {
    procs.on_event(proc(ProcEventKind::Fork, parent, 1, parent_cg, {}, ts, parent_euid));
    procs.on_event(proc(ProcEventKind::Exec, parent, 1, parent_cg, std::move(parent_args), ts, parent_euid));
    procs.on_event(proc(ProcEventKind::Fork, child, parent, parent_cg, {}, ts));
    auto ev = proc(ProcEventKind::Exec, child, parent, cg, std::move(args), ts);
    procs.on_event(ev);
    return execs.on_exec(ev);
  }
};

TEST(RuntimeExecsContainerd, ContainerWithANonHexIdIsNamedByItsRuntimeParent) {
  Host h;
  ASSERT_TRUE(h.run(100, runc_exec_args("swtest", "web", "e1"), 101, {"/bin/sh", "-c", "id"}, 5));
  const RuntimeExec* x = h.execs.find_containerd("swtest", "web", "e1", 0);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->container_id, "web");
  EXPECT_EQ(x->containerd_namespace, "swtest");
  EXPECT_EQ(x->exec_id, "e1");
  // Exec ids repeat across containers and namespaces: never taken for another's.
  EXPECT_EQ(h.execs.find_containerd("other", "web", "e1", 0), nullptr);
  EXPECT_EQ(h.execs.find_containerd("swtest", "db", "e1", 0), nullptr);
  EXPECT_EQ(h.execs.find_containerd("swtest", "web", "e2", 0), nullptr);
  EXPECT_EQ(h.execs.find_containerd("swtest", "web", "e1", 6), nullptr);  // it began before that request
  EXPECT_EQ(h.execs.find_containerd("swtest", "web", "", 0), x);         // a request cut before its exec id

  // runc exited first: the shim is the parent and names the task, not the exec.
  ASSERT_TRUE(h.run(200, {"/usr/bin/containerd-shim-runc-v2", "-namespace", "swtest", "-id", "web"}, 201, {"/bin/true"}, 7));
  const RuntimeExec* y = h.execs.find_containerd("swtest", "web", "e3", 7);
  ASSERT_NE(y, nullptr);
  EXPECT_TRUE(y->exec_id.empty());
  h.execs.learn_exec_id(201, "e3");
  EXPECT_EQ(h.execs.find_containerd("swtest", "web", "e3", 0), y);

  // Who may name a container: not a parent running as another user, nor one in a container
  // (a process there could name itself runc), nor a parent naming no task.
  EXPECT_FALSE(h.run(300, runc_exec_args("swtest", "web", "e4"), 301, {"/bin/id"}, 8, Host::kHostCg, 1000));
  EXPECT_FALSE(h.run(310, runc_exec_args("swtest", "web", "e5"), 311, {"/bin/id"}, 8, Host::kOtherCtrCg));
  EXPECT_FALSE(h.run(320, {"/usr/sbin/runc", "exec", "--pid-file", "/run/b/e6.pid", "web"}, 321, {"/bin/id"}, 8));
  EXPECT_FALSE(h.run(330, {"/usr/bin/sleep-shim", "-namespace", "swtest", "-id", "web"}, 331, {"/bin/id"}, 8));
  // A shim seen only in /proc (cgroup unknown: started before the agent): running runc on the
  // host is no exec; its child in the container is, while the shim is in the host's pid namespace.
  const std::vector<std::string> shim{"/usr/bin/containerd-shim-runc-v2", "-namespace", "swtest", "-id", "web"};
  h.proc_root.status(340, "0", "");
  EXPECT_FALSE(h.run(340, shim, 341, runc_exec_args("swtest", "web", "e8"), 8, /*parent_cg=*/0, 0, Host::kHostCg));
  EXPECT_TRUE(h.run(340, shim, 342, {"/bin/sh"}, 8, /*parent_cg=*/0));
  h.proc_root.status(350, "0", "12");  // a look-alike in a container's pid namespace
  EXPECT_FALSE(h.run(350, shim, 351, {"/bin/sh"}, 8, /*parent_cg=*/0));
  EXPECT_FALSE(h.run(360, shim, 361, {"/bin/sh"}, 8, /*parent_cg=*/0));  // no /proc entry to tell
  EXPECT_EQ(h.execs.size(), 3u);

  // A recognised (hex) container keeps its cgroup's id; the bundle adds its namespace.
  const std::string hex(64, 'a');
  ASSERT_TRUE(h.run(400, runc_exec_args("moby", hex, "e7"), 401, {"/bin/id"}, 9, Host::kHostCg, 0, Host::kOtherCtrCg));
  const RuntimeExec* z = h.execs.find_containerd("moby", hex, "e7", 0);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->containerd_namespace, "moby");
  EXPECT_EQ(h.execs.find(z->exec_id, "", 0), z);  // and Docker's lookup still finds it
}

TEST(RuntimeExecsContainerd, AContainersInitIsNoExecButAnExecNamedInitIs) {
  Host h;
  // The task's first process: pid 1 of its own pid namespace (runc create's --pid-file is
  // init.pid): never an exec, whatever id is asked for.
  h.proc_root.status(501, "0", "1");
  ASSERT_TRUE(h.run(500, runc_exec_args("swtest", "web", "init"), 501, {"/bin/sleep", "60"}, 5));
  EXPECT_EQ(h.execs.find_containerd("swtest", "web", "init", 0), nullptr);
  EXPECT_EQ(h.execs.find_containerd("swtest", "web", "", 0), nullptr);
  // A client may name its exec "init" (containerd's exec ids are the client's): its process, in
  // the container's pid namespace but not its pid 1, is matched.
  h.proc_root.status(511, "0", "9");
  ASSERT_TRUE(h.run(510, runc_exec_args("swtest", "web", "init"), 511, {"/bin/sh"}, 6));
  const RuntimeExec* x = h.execs.find_containerd("swtest", "web", "init", 0);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->pid, 511u);
}

Event exec_request(const std::string& op, const std::string& container, const std::string& exec_id,
                   const std::string& process_json, uint64_t ts) {
  Event e;
  e.action = "request";
  e.raw.ts_boot_ns = ts;
  e.raw.tgid = 4242;
  e.raw.client_sock_ino = 99;
  DecodedRequest r;
  r.protocol = "http/2";
  r.grpc_service = "containerd.services.tasks.v1.Tasks";
  r.grpc_method = op == "containerd-task-exec" ? "Exec" : "Start";
  r.containerd_namespace = "swtest";
  if (op == "containerd-task-exec") {
    r.operation = op;
    r.add_risk(risk::kExec);
    r.summary["container"] = container;
    if (!exec_id.empty()) r.summary["exec_id"] = exec_id;
    if (process_json.empty()) {  // the payload cap cut the message before the spec ended
      r.unparsed_body = r.truncated = true;
      r.add_risk(risk::kUnparsedBody);
    } else {
      summarize_exec_process(r, Json::parse(process_json));
    }
  } else {
    r.operation = "containerd-exec-start";
    r.add_risk(risk::kExec);
    r.summary["container"] = container;
    r.summary["exec_id"] = exec_id;
  }
  e.request = std::move(r);
  e.severity = "medium";
  return e;
}


TEST(RequestEffectsStage, ContainerdExecIsTiedToItsExecRecord) {
  ProcRoot pr;
  ProcessTable procs{"/nonexistent-proc"};
  RuntimeExecs execs{procs, [](uint64_t) { return std::string(); }, pr.dir.string()};
  RequestEffects::Sources s;
  s.execs = &execs;
  RequestEffects fx(s);
  const auto now = RequestEffects::Clock::now();
  const char* cmd = R"({"args":["/bin/sh","-c","id"],"user":{"uid":0},"capabilities":{"bounding":["CAP_KILL"]}})";

  // The Exec arrives first (the shim only prepares the process): held until runc runs it.
  auto out = fx.admit(one(exec_request("containerd-task-exec", "web", "e1", cmd, 10)), now);
  EXPECT_TRUE(out.empty());
  // Tasks/Start of the exec: runc exec, then its process.
  out = fx.admit(one(exec_request("containerd-exec-start", "web", "e1", "", 20)), now);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(fx.pending(), 2u);
  pr.status(501, "00000000a80425fb");  // a default set: no CAP_SYS_ADMIN
  procs.on_event(proc(ProcEventKind::Exec, 500, 1, 10, runc_exec_args("swtest", "web", "e1"), 25));
  auto ev = proc(ProcEventKind::Exec, 501, 500, 20, {"/bin/sh", "-c", "id"}, 30);
  procs.on_event(ev);
  ASSERT_TRUE(execs.on_exec(ev));
  out = fx.on_exec(now);
  ASSERT_EQ(out.size(), 2u);
  for (const auto& e : out) {
    const auto& r = *e.request;
    ASSERT_TRUE(r.effect) << r.operation;
    EXPECT_EQ(r.effect->status, "verified") << r.operation;
    EXPECT_EQ(r.effect->source, "exec-record");
    EXPECT_TRUE(r.effect->exec);
    EXPECT_EQ(r.effect->container_id, "web");
    EXPECT_EQ(r.effect->exec_id, "e1");
    EXPECT_EQ(r.effect->command, (std::vector<std::string>{"/bin/sh", "-c", "id"}));
    EXPECT_EQ(r.effect->pid, 501u);
    EXPECT_EQ(r.effect->cap_effective, "00000000a80425fb");
    EXPECT_FALSE(r.effect->exec_privileged);
    // The start is judged against its Exec's body: the same command, no mismatch.
    EXPECT_TRUE(r.effect->mismatch.empty()) << r.operation;
    EXPECT_FALSE(r.has_risk("effect-mismatch"));
    EXPECT_EQ(e.severity, "medium");
  }
  EXPECT_EQ(fx.pending(), 0u);

  // A padded Exec (cut before its exec id, body unread) whose process runc ran privileged:
  // tied by container and time; unread-command and privileged are mismatches, severity high.
  out = fx.admit(one(exec_request("containerd-task-exec", "web", "", "", 40)), now);
  EXPECT_TRUE(out.empty());
  pr.status(601, "000001ffffffffff");
  procs.on_event(proc(ProcEventKind::Exec, 600, 1, 10, runc_exec_args("swtest", "web", "hidden"), 45));
  ev = proc(ProcEventKind::Exec, 601, 600, 20, {"/bin/sh", "-c", "sleep 1"}, 50);
  procs.on_event(ev);
  ASSERT_TRUE(execs.on_exec(ev));
  out = fx.on_exec(now);
  ASSERT_EQ(out.size(), 1u);
  {
    const auto& r = *out[0].request;
    ASSERT_TRUE(r.effect);
    EXPECT_EQ(r.effect->status, "verified");
    EXPECT_EQ(r.effect->exec_id, "hidden");
    EXPECT_TRUE(r.effect->exec_privileged);
    EXPECT_EQ(r.effect->mismatch, (std::vector<std::string>{"unread-command", "privileged"}));
    EXPECT_TRUE(r.has_risk("effect-mismatch"));
    EXPECT_TRUE(r.has_risk("privileged"));
    EXPECT_EQ(out[0].severity, "high");
  }
  // Its start names the exec exactly; the Exec it follows (same connection) said nothing readable.
  out = fx.admit(one(exec_request("containerd-exec-start", "web", "hidden", "", 42)), now);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].request->effect->pid, 601u);
  EXPECT_EQ(out[0].request->effect->mismatch, (std::vector<std::string>{"unread-command", "privileged"}));

  // The container's own first process, started late (runc start), with the shim as its parent
  // like an exec whose runc exited first: pid 1 of its pid namespace, never taken for an exec.
  out = fx.admit(one(exec_request("containerd-task-exec", "web", "", "", 60)), now);
  EXPECT_TRUE(out.empty());
  pr.status(701, "000001ffffffffff", "1");
  procs.on_event(proc(ProcEventKind::Exec, 700, 1, 10, {"/usr/bin/containerd-shim-runc-v2", "-namespace", "swtest",
                                                        "-id", "web"}, 62));
  ev = proc(ProcEventKind::Exec, 701, 700, 20, {"/bin/sleep", "300"}, 65);
  procs.on_event(ev);
  ASSERT_TRUE(execs.on_exec(ev));
  EXPECT_TRUE(fx.on_exec(now).empty());
  // The exec, same parent; its start names it (the Exec waits for that: it could not say).
  pr.status(702, "000001ffffffffff");
  ev = proc(ProcEventKind::Exec, 702, 700, 20, {"/bin/id"}, 70);
  procs.on_event(ev);
  ASSERT_TRUE(execs.on_exec(ev));
  EXPECT_TRUE(fx.on_exec(now).empty());
  out = fx.admit(one(exec_request("containerd-exec-start", "web", "late", "", 61)), now);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].request->effect->pid, 702u);
  out = fx.expire(now);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].request->operation, "containerd-task-exec");
  EXPECT_EQ(out[0].request->effect->pid, 702u);
  EXPECT_EQ(out[0].request->effect->exec_id, "late");
  EXPECT_TRUE(is_pid_namespace_init("Name:\tsleep\nNSpid:\t4242\t1\nCapEff:\t0\n"));
  EXPECT_FALSE(is_pid_namespace_init("Name:\tsleep\nNSpid:\t1\n"));  // the host's own init
  EXPECT_FALSE(is_pid_namespace_init("Name:\tsh\nNSpid:\t4243\t11\n"));
  EXPECT_FALSE(is_pid_namespace_init("NSpid:\t4243\t1"));  // not a line of its own

  // The same exec id in another namespace, or a command that differs from the body's.
  auto other = exec_request("containerd-task-exec", "web", "e1", cmd, 5);
  other.request->containerd_namespace = "other";
  out = fx.admit(one(std::move(other)), now);
  EXPECT_TRUE(out.empty());
  out = fx.expire(now + std::chrono::seconds(6));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].request->effect->status, "unknown");
  EXPECT_EQ(out[0].request->effect->reason, "no-exec-seen");
  EXPECT_EQ(out[0].request->effect->container_id, "web");
  out = fx.admit(one(exec_request("containerd-task-exec", "web", "e1",
                                  R"({"args":["/bin/true"],"capabilities":{"bounding":["CAP_KILL"]}})", 10)), now);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].request->effect->mismatch, std::vector<std::string>{"command"});

  // Ids containerd would have refused name nothing.
  for (const char* bad : {"", "../web", "we b"}) {
    out = fx.admit(one(exec_request("containerd-exec-start", bad, "e1", "", 10)), now);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].request->effect->reason, "target-unknown") << bad;
  }
  out = fx.admit(one(exec_request("containerd-exec-start", "web", "e/1", "", 10)), now);
  EXPECT_EQ(out[0].request->effect->reason, "target-unknown");
  // Without exec records (no process hook): unknown at once.
  RequestEffects none(RequestEffects::Sources{});
  out = none.admit(one(exec_request("containerd-exec-start", "web", "e1", "", 10)), now);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].request->effect->reason, "no-exec-records");
}

TEST(RequestEffectsStage, CriExecSyncIsTheFirstExecInItsContainer) {
  ProcRoot pr;
  ProcessTable procs{"/nonexistent-proc"};
  const std::string cid(64, 'c');
  RuntimeExecs execs{procs, [&](uint64_t cg) { return cg == 20 ? cid : std::string(); }, pr.dir.string()};
  RequestEffects::Sources s;
  s.execs = &execs;
  RequestEffects fx(s);
  const auto now = RequestEffects::Clock::now();
  auto cri_exec = [&](uint64_t ts) {
    Event e;
    e.action = "request";
    e.raw.ts_boot_ns = ts;
    e.raw.tgid = 4242;
    DecodedRequest r;
    r.protocol = "http/2";
    r.grpc_service = "runtime.v1.RuntimeService";
    r.grpc_method = "ExecSync";
    r.operation = "cri-exec";
    r.add_risk(risk::kExec);
    r.summary["container"] = cid;
    r.summary["command"] = Json::array({"/bin/sh", "-c", "id"});
    e.request = std::move(r);
    e.severity = "medium";
    return e;
  };
  // Before the exec: held. An exec of another container, and one that began before the request,
  // are not it.
  EXPECT_TRUE(fx.admit(one(cri_exec(10)), now).empty());
  pr.status(801, "000001ffffffffff");
  procs.on_event(proc(ProcEventKind::Exec, 800, 1, 10, runc_exec_args("k8s.io", cid, "r4nd0m"), 15));
  auto ev = proc(ProcEventKind::Exec, 801, 800, 20, {"/bin/sh", "-c", "id"}, 20);
  procs.on_event(ev);
  ASSERT_TRUE(execs.on_exec(ev));
  auto out = fx.on_exec(now);
  ASSERT_EQ(out.size(), 1u);
  const auto& r = *out[0].request;
  ASSERT_TRUE(r.effect);
  EXPECT_EQ(r.effect->status, "verified");
  EXPECT_EQ(r.effect->container_id, cid);
  EXPECT_EQ(r.effect->exec_id, "r4nd0m");  // the plugin's own id, from runc's --pid-file
  EXPECT_TRUE(r.effect->exec_privileged);
  // The command the request said; privilege is the container's, not asked for: no mismatch.
  EXPECT_TRUE(r.effect->mismatch.empty());
  EXPECT_FALSE(r.has_risk("effect-mismatch"));
  EXPECT_TRUE(r.has_risk("privileged"));
  EXPECT_EQ(out[0].severity, "high");
  // A later ExecSync does not take that earlier exec.
  EXPECT_TRUE(fx.admit(one(cri_exec(30)), now).empty());
  EXPECT_EQ(fx.pending(), 1u);
}

}  // namespace
}  // namespace sockwarden
