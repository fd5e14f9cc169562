#!/bin/sh
# Runs CMD the way a Kubernetes pod on a cgroup v2 node runs: in a cgroup namespace of its own,
# rooted at a cgroup below the host's root, with the runtime's cgroup2 mount showing only that
# namespace. Used by test_cgroupns_trace.sh; run it under `unshare --mount --propagation private`.
#
#   cgroupns_exec.sh CGROUP_DIR HOST_CGROUP2 HOST_VIEW|- -- CMD [ARGS...]
#
# 1. join CGROUP_DIR (a directory in the host's cgroup2 hierarchy: the "pod's" cgroup);
# 2. HOST_VIEW given: bind the host's hierarchy (HOST_CGROUP2, its mount point) at HOST_VIEW.stage
#    before the cgroup namespace exists (a cgroup2 mounted from inside the namespace would be
#    rooted at the namespace: exactly the problem);
# 3. unshare the cgroup namespace and replace the mount at HOST_CGROUP2 by a fresh cgroup2 (the
#    pod's own view, rooted at CGROUP_DIR);
# 4. HOST_VIEW given: move the staged host view to HOST_VIEW, read-only. It is listed after the
#    namespace's own mount, as a hostPath volume is after the runtime's default mounts;
# then exec CMD. Every step is an exec: CMD keeps this script's pid. Exit 97 if a step fails.
if [ "$1" = --inner ]; then
  mp=$2 view=$3
  shift 3
  # The host's mount goes first (this mount namespace only): the kernel refuses (EBUSY) a second
  # mount of the same filesystem on top of a mount point that already is its root.
  umount -l "$mp" || exit 97
  mount -t cgroup2 cgroup2 "$mp" || exit 97
  if [ "$view" != - ]; then
    mount --bind "$view.stage" "$view" || exit 97
    mount -o remount,bind,ro "$view" || exit 97
    umount -l "$view.stage" || exit 97
  fi
  exec "$@"
fi
cg=$1 host=$2 view=$3
shift 3
[ "$1" = -- ] && shift
echo $$ >"$cg/cgroup.procs" || exit 97
if [ "$view" != - ]; then
  mkdir -p "$view.stage" "$view" || exit 97
  mount --bind "$host" "$view.stage" || exit 97
fi
exec unshare --cgroup -- "$0" --inner "$host" "$view" "$@"
