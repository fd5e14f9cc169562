#!/bin/sh
# Capture check inside an arm64 vmtest guest (busybox sh), for one tier:
#   capture.sh TIER
# `sockwarden trace --json --tier TIER` watches a private unix socket served by unix_ping; one
# Docker API request is sent per send syscall (write, writev, sendto, sendmsg) with a small body
# (the kernel's skb copy) and a 6000-byte body (socket-tp: page frags, so the bytes are read from
# the caller's buffer through its syscall registers, the arch-specific path; syscall-tp: every
# case goes through the per-arch syscall numbers and pt_regs). Each request must come out as an
# event naming its path. Prints gtest-style lines for vmtest/run.sh's counters.
tier=$1
sock=/tmp/cap-$tier.sock
out=/tmp/cap-$tier.jsonl
err=/tmp/cap-$tier.err
cases="write writev sendto sendmsg"
sizes="100 6000"
rm -f "$sock"
unix_ping serve "$sock" 8 &
srv=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
sockwarden trace --json --tier "$tier" --no-default-sockets --socket "$sock" --duration 90 >"$out" 2>"$err" &
agent=$!
# Attached when the agent logs "ready" (hooks loaded, the socket's inode in the watch map).
i=0
while ! grep -q 'ready: tier' "$err" 2>/dev/null && [ $i -lt 300 ]; do
  kill -0 $agent 2>/dev/null || break
  sleep 0.2; i=$((i + 1))
done
if ! grep -q 'ready: tier' "$err"; then
  echo "[  FAILED  ] Arm64Capture.attach/$tier (0 ms)"
  sed 's/^/    | /' "$err"
  kill $srv $agent 2>/dev/null
  exit 1
fi
echo "[       OK ] Arm64Capture.attach/$tier (0 ms)"
rc=0
for c in $cases; do
  for n in $sizes; do
    unix_ping send "$sock" "$c" "$n" >/dev/null || { echo "[  FAILED  ] Arm64Capture.client_$c-$n/$tier (0 ms)"; rc=1; }
  done
done
sleep 3
kill -INT $agent
wait $agent
kill $srv 2>/dev/null
for c in $cases; do
  for n in $sizes; do
    if grep -q "containers/create?name=arm64-$c-$n" "$out"; then
      echo "[       OK ] Arm64Capture.$c-$n/$tier (0 ms)"
    else
      echo "[  FAILED  ] Arm64Capture.$c-$n/$tier (0 ms)"
      rc=1
    fi
  done
done
if [ $rc -ne 0 ]; then
  echo "---- agent stderr"; sed 's/^/    | /' "$err"
  echo "---- events"; cut -c1-400 "$out" | sed 's/^/    | /'
fi
exit $rc
