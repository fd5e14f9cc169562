# Test-created cgroup cleanup for the end-to-end suite (sourced by dockerd.sh and podman.sh).
#
# runc (for dockerd, ctr and podman with the cgroupfs manager) creates a parent cgroup per
# runtime ("docker", "swtest", "libpod_parent") in every v1 hierarchy and in the unified one,
# and leaves it behind when the last container goes. A test removes the parents it caused:
#   e2e_cgroups_note NAME...     before starting: remember which of NAME do not exist yet
#   e2e_cgroups_cleanup          after stopping: rmdir (deepest first) the noted ones
# Only empty cgroups can be removed (rmdir fails otherwise), so a cgroup still in use by
# anything else is left alone.

E2E_CGROUPS_NEW=()

e2e_cgroups_note() {
  local name h
  for name in "$@"; do
    for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
      [[ -f $h/cgroup.procs && ! -e $h/$name ]] && E2E_CGROUPS_NEW+=("$h/$name")
    done
  done
}

e2e_cgroups_cleanup() {
  local d
  for d in "${E2E_CGROUPS_NEW[@]}"; do
    [[ -d $d ]] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    [[ -d $d ]] && echo "[e2e] cgroup $d still in use: left in place" >&2
  done
  E2E_CGROUPS_NEW=()
  return 0
}
