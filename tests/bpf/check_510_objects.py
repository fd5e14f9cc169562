#!/usr/bin/env python3
"""The 5.10 builds of the BPF objects (build/bpf/*_510.bpf.o) must load on Linux 5.10.

Two things a newer kernel accepts and 5.10 refuses before its verifier even simulates a
program, checked here on the host so that a regression shows up without booting 5.10:

  1. helpers newer than 5.10: every `call N` must name a helper 5.10 has (ids <= 155,
     BPF_FUNC_redirect_peer; 5.11 added task storage (156) and bpf_get_current_task_btf (158),
     5.15 bpf_task_pt_regs (175), 5.17 bpf_loop (181)); no kfunc or subprogram calls
     (kfuncs such as bpf_cast_to_kern_ctx are 6.2; bpf_loop callbacks need BPF_PSEUDO_FUNC, 5.13);
  2. loops closed by a fall-through edge: 5.10's check_cfg accepts a back edge only when it
     is a jump ("back-edge from insn N to N+1" otherwise; measured on Debian's 5.10.223 with
     a path scan that clang had rotated). This emulates that depth-first search per program.

usage: check_510_objects.py OBJ...   (exit 1 on any finding, with the instruction)
"""
import re
import subprocess
import sys

MAX_HELPER_510 = 155


def sections(obj):
    out = subprocess.run(["llvm-objdump", "-dr", "--no-show-raw-insn", obj], capture_output=True, text=True,
                         check=True).stdout
    secs, cur, last = {}, None, None
    for line in out.splitlines():
        m = re.match(r"^Disassembly of section (\S+):", line)
        if m:
            cur = m.group(1)
            secs[cur] = {}
            continue
        m = re.match(r"^\s+(\d+):\s+(.*)$", line)
        if m and cur:
            last = int(m.group(1))
            secs[cur][last] = m.group(2).strip()
            continue
        m = re.match(r"^\s+\d+:\s+(R_BPF_\S+)\s+(\S+)", line)
        if m and cur and last is not None:
            secs[cur][last] += f"  <reloc {m.group(1)} {m.group(2)}>"
    return secs


def edges(ins, nxt, t):
    s = ins[t]
    if s.startswith("exit"):
        return []
    m = re.search(r"goto ([+-]\d+)", s)
    if m:
        tgt = t + int(m.group(1)) + 1
        if s.startswith("goto"):
            return [(tgt, True)]
        return [(nxt.get(t), True), (tgt, True)]  # conditional: both edges may close a loop
    return [(nxt.get(t), False)]  # fall-through (calls included): may not close a loop on 5.10


def check(obj):
    bad = []
    secs = sections(obj)
    progs = {k: v for k, v in secs.items() if v and not k.startswith(".")}
    if not progs:
        return [f"{obj}: no program sections (not a BPF object?)"]
    for sec, ins in progs.items():
        for t, s in ins.items():
            m = re.match(r"call (-?\d+)(.*)$", s)
            if not m:
                continue
            if "<reloc" in s or int(m.group(1)) < 0:
                bad.append(f"{obj} {sec} insn {t}: subprogram/kfunc call, not in the 5.10 build: {s}")
            elif int(m.group(1)) > MAX_HELPER_510:
                bad.append(f"{obj} {sec} insn {t}: helper {m.group(1)} is newer than Linux 5.10: {s}")
        idx = sorted(ins)
        nxt = dict(zip(idx, idx[1:]))
        state = {idx[0]: 1}  # 1 on the DFS stack, 2 done
        stack = [(idx[0], iter(edges(ins, nxt, idx[0])))]
        while stack:
            t, it = stack[-1]
            for w, jump in it:
                if w is None or w not in ins:
                    continue
                if w not in state:
                    state[w] = 1
                    stack.append((w, iter(edges(ins, nxt, w))))
                    break
                if state[w] == 1 and not jump:
                    bad.append(f"{obj} {sec}: back-edge from insn {t} to {w} (fall-through; 5.10 refuses): {ins[t]}")
            else:
                state[t] = 2
                stack.pop()
    return bad


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    findings = []
    for obj in sys.argv[1:]:
        try:
            findings += check(obj)
        except (OSError, subprocess.CalledProcessError) as e:
            findings.append(f"{obj}: cannot disassemble: {e}")
    for f in findings:
        print("FAIL:", f)
    print(f"{len(sys.argv) - 1} objects, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
