#!/usr/bin/env bash
# The anchor of the overhead targets: auditd with one connect rule,
#   auditctl -a always,exit -F arch=b64 -S connect
# measured by scripts/bench.sh in the same run as the agent's tiers (as the pseudo-tier
# "auditd"). Sourced by scripts/bench.sh; needs the auditd package (scripts/setup.sh).
#
# There is no systemd here, so auditd runs in the foreground (`auditd -n`) as our own child,
# logging to its configured log file (/var/log/audit/audit.log). A syscall rule sends every
# task forked afterwards through the kernel's syscall-audit slow path on every syscall, which
# is what the null-write loop measures; the watched loop's connects also produce records.
# audit_stop restores what was there: the rule is deleted, the kernel's "enabled" flag is set
# back, and the daemon (if we started it) is stopped by its pid.

AUDIT_RULE=(always,exit -F arch=b64 -S connect)
AUDIT_DAEMON_PID=
AUDIT_ENABLED_BEFORE=

audit_available() {
  command -v auditctl >/dev/null && command -v auditd >/dev/null && auditctl -s >/dev/null 2>&1
}

# audit_start: sets AGENT_PID to auditd's pid (bench.sh measures its CPU like the agent's).
audit_start() {
  AUDIT_ENABLED_BEFORE=$(auditctl -s | awk '$1 == "enabled" {print $2}')
  local existing i
  existing=$(auditctl -s | awk '$1 == "pid" {print $2}')
  if [[ -n $existing && $existing != 0 ]] && kill -0 "$existing" 2>/dev/null; then
    echo "bench.sh: an auditd (pid $existing) is already running: not measuring against someone else's daemon" >&2
    return 1
  fi
  auditd -n >"$WORK/auditd.log" 2>&1 &
  AUDIT_DAEMON_PID=$!
  for ((i = 0; i < 100; i++)); do
    [[ $(auditctl -s | awk '$1 == "pid" {print $2}') == "$AUDIT_DAEMON_PID" ]] && break
    kill -0 "$AUDIT_DAEMON_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [[ $(auditctl -s | awk '$1 == "pid" {print $2}') != "$AUDIT_DAEMON_PID" ]]; then
    cat "$WORK/auditd.log" >&2
    echo "bench.sh: auditd did not register with the kernel" >&2
    audit_stop
    return 1
  fi
  auditctl -e 1 >/dev/null
  auditctl -a "${AUDIT_RULE[@]}" >/dev/null
  auditctl -l | grep -q -- "-S connect" || { echo "bench.sh: the audit connect rule did not load" >&2; audit_stop; return 1; }
  AGENT_PID=$AUDIT_DAEMON_PID
}

audit_stop() {
  auditctl -d "${AUDIT_RULE[@]}" >/dev/null 2>&1 || true
  [[ -n $AUDIT_ENABLED_BEFORE ]] && auditctl -e "$AUDIT_ENABLED_BEFORE" >/dev/null 2>&1
  if [[ -n $AUDIT_DAEMON_PID ]]; then
    kill -TERM "$AUDIT_DAEMON_PID" 2>/dev/null || true
    wait "$AUDIT_DAEMON_PID" 2>/dev/null || true
  fi
  AUDIT_DAEMON_PID=
  AGENT_PID=
  AGENT_EL="0 0"
}
