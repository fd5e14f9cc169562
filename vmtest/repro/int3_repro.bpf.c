// Minimal reproducer for the int3 oops at unix_stream_sendmsg+0x5 (issue 21), without
// sockwarden: one fentry and one fexit program on unix_stream_sendmsg that only count.
// Attaching patches the function's first instruction (the ftrace nop) into a call to a BPF
// trampoline; detaching patches it back. x86 does both through text_poke_bp, which first
// writes an int3 there and relies on every CPU seeing it handled while the rest changes.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 entries = 0;
__u64 exits = 0;

SEC("fentry/unix_stream_sendmsg")
int BPF_PROG(repro_enter, struct socket *sock, struct msghdr *msg, size_t len) {
  __sync_fetch_and_add(&entries, 1);
  return 0;
}

SEC("fexit/unix_stream_sendmsg")
int BPF_PROG(repro_exit, struct socket *sock, struct msghdr *msg, size_t len, int ret) {
  __sync_fetch_and_add(&exits, 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
