#!/bin/bash
# The project's own deployment must not regress into what sockwarden warns
# about: deploy/kubernetes, packaging/ and scripts/ are linted with the same
# rule set as users' files. Fails on
#   - any finding not covered by a reviewed suppression with a reason,
#   - any runtime-socket mount (SW-LINT-001/002) or privileged (SW-LINT-003),
#     suppressed or not,
#   - an input error,
# and checks the DaemonSet's least-privilege settings and that its ConfigMap
# is a valid agent config (`sockwarden run --check-config`).
# Usage: test_project_manifests.sh SOCKWARDEN_BINARY SOURCE_DIR
set -u
BIN=${1:?usage: $0 SOCKWARDEN_BINARY SOURCE_DIR}
SRC=${2:?usage: $0 SOCKWARDEN_BINARY SOURCE_DIR}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$SRC" || exit 1

"$BIN" lint --json deploy/kubernetes packaging scripts >"$TMP/lint.json" 2>"$TMP/lint.err"
rc=$?
python3 - "$TMP/lint.json" "$rc" <<'PY' || { cat "$TMP/lint.err"; exit 1; }
import json, sys
doc = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
bad = []
for f in doc["findings"]:
    where = "%s:%d %s %s" % (f["file"], f["line"], f["rule_id"], f["message"])
    if f["rule_id"] in ("SW-LINT-001", "SW-LINT-002", "SW-LINT-003"):
        bad.append("never allowed in our own manifests, even suppressed: " + where)
    elif not f["suppressed"]:
        bad.append("not covered by a reviewed suppression: " + where)
    elif not f["suppression"]["reason"].strip():
        bad.append("suppressed without a reason: " + where)
for e in doc["errors"]:
    bad.append("input error: %s:%d %s" % (e["file"], e["line"], e["message"]))
if rc != 0:
    bad.append("sockwarden lint exited %d, want 0" % rc)
files = doc["summary"]["files_scanned"]
if files < 6:
    bad.append("only %d files scanned: deploy/kubernetes or packaging/ not found?" % files)
print("\n".join(bad) if bad else "project manifests: %d files, %d reviewed exceptions, clean" % (files, doc["summary"]["suppressed"]))
sys.exit(1 if bad else 0)
PY
[ $? = 0 ] || exit 1

# Least privilege of the DaemonSet, and the ConfigMap as the agent reads it.
python3 - deploy/kubernetes "$TMP/config.yaml" <<'PY' || exit 1
import os, sys, yaml
base, config_out = sys.argv[1], sys.argv[2]
kust = yaml.safe_load(open(os.path.join(base, "kustomization.yaml")))
docs = {}
for res in kust["resources"]:
    path = os.path.join(base, res)
    assert os.path.exists(path), "kustomization lists a missing file: " + res
    for d in yaml.safe_load_all(open(path)):
        docs[d["kind"]] = d
ds = docs["DaemonSet"]
pod = ds["spec"]["template"]["spec"]
problems = []
def want(cond, what):
    if not cond: problems.append(what)
want(pod.get("hostPID") is True, "hostPID: true (caller attribution)")
want(pod.get("hostNetwork") is True, "hostNetwork: true (existing-connection snapshot, abstract names)")
want(not pod.get("hostIPC"), "no hostIPC")
want(pod.get("priorityClassName") == "system-node-critical", "priorityClassName system-node-critical")
want({"operator": "Exists"} in pod.get("tolerations", []), "toleration operator: Exists (every node)")
want(pod.get("automountServiceAccountToken") is False, "no service account token")
# Only the platforms there is an image for (scripts/build-image-index.sh: linux/amd64 + linux/arm64).
terms = pod.get("affinity", {}).get("nodeAffinity", {}).get(
    "requiredDuringSchedulingIgnoredDuringExecution", {}).get("nodeSelectorTerms", [])
exprs = [{(e["key"], e["operator"]): sorted(e.get("values", [])) for e in t.get("matchExpressions", [])} for t in terms]
want(len(exprs) > 0 and all(e.get(("kubernetes.io/os", "In")) == ["linux"] and
                            e.get(("kubernetes.io/arch", "In")) == ["amd64", "arm64"] for e in exprs),
     "required node affinity: kubernetes.io/os In [linux], kubernetes.io/arch In [amd64, arm64] in every term")
c = pod["containers"][0]
sc = c["securityContext"]
want(c["image"] == "sockwarden:local", "image sockwarden:local")
want(c["command"] == ["sockwarden", "run", "--config", "/etc/sockwarden/config.yaml",
                     "--host-root", "/proc/1/root"], "command")
want(sc.get("privileged") is False, "privileged: false")
want(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation: false")
want(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem: true")
want(sc["capabilities"]["drop"] == ["ALL"], "capabilities drop ALL")
# Exactly the set tests/e2e/test_image.sh proves under containerd -> runc (SW_CAPS_SPLIT in
# deploy/docker/run-flags.sh): each one removed breaks the agent, none more is needed.
import re
split = re.search(r"^SW_CAPS_SPLIT=\(([^)]*)\)", open("deploy/docker/run-flags.sh").read(), re.M)
want(split is not None, "deploy/docker/run-flags.sh defines SW_CAPS_SPLIT")
proven = split.group(1).split() if split else []
want(sorted(sc["capabilities"]["add"]) == sorted(proven),
     "capabilities %s, want the proven set %s" % (sc["capabilities"]["add"], proven))
want(sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "seccomp RuntimeDefault")
want("limits" in c["resources"] and "requests" in c["resources"], "resources requests and limits")
mounts = {m["name"]: m for m in c["volumeMounts"]}
for v in pod["volumes"]:
    if "hostPath" in v:
        m = mounts.get(v["name"])
        want(m is not None and m.get("readOnly") is True, "hostPath %s mounted read-only" % v["hostPath"]["path"])
# The host's cgroup2 hierarchy, read-only where the pod's own (cgroup-namespaced) view would be:
# caller -> container attribution in a pod's cgroup namespace (docs/kubernetes-cgroupns.md).
cg = [v for v in pod["volumes"] if v.get("hostPath", {}).get("path") == "/sys/fs/cgroup"]
want(len(cg) == 1 and mounts.get(cg[0]["name"], {}).get("mountPath") == "/sys/fs/cgroup",
     "the host's /sys/fs/cgroup mounted (read-only) at /sys/fs/cgroup")
if problems:
    print("deploy/kubernetes/daemonset.yaml:\n  " + "\n  ".join(problems))
    sys.exit(1)
open(config_out, "w").write(docs["ConfigMap"]["data"]["config.yaml"])
print("daemonset: least-privilege settings as reviewed")
PY
"$BIN" run --check-config --config "$TMP/config.yaml" || { echo "FAIL: the ConfigMap's config.yaml is not a valid agent config"; exit 1; }
echo "project manifests: OK"
