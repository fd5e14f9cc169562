// Attach / kill-under-load loop for the int3 reproducer (see int3_repro.bpf.c).
//   int3_repro ITERATIONS [HOLD_MS]
// Two load processes send on unix stream socketpairs without pause. Each iteration forks a
// child that loads and attaches the fentry/fexit programs and is SIGKILLed HOLD_MS later
// (default 30), as the agent is in FaultTest.KilledMonitorAgentUnderLoadLeavesAnAgentGap:
// its links detach when the kernel closes its fds, while other CPUs are inside or entering
// unix_stream_sendmsg. Prints "REPRO-DONE iterations=N" when it survives.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "int3_repro.skel.h"

static void pingpong(void) {
  int sv[2];
  char b[64] = {0};
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) _exit(1);
  for (;;) {
    if (write(sv[0], b, sizeof b) < 0 || read(sv[1], b, sizeof b) < 0) _exit(1);
  }
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

int main(int argc, char** argv) {
  int iterations = argc > 1 ? atoi(argv[1]) : 100;
  long hold_ms = argc > 2 ? atol(argv[2]) : 30;
  pid_t load[2];
  for (int i = 0; i < 2; i++)
    if ((load[i] = fork()) == 0) pingpong();
  int attached = 0;
  for (int i = 0; i < iterations; i++) {
    int ready[2];
    if (pipe(ready) != 0) return 1;
    pid_t c = fork();
    if (c == 0) {
      struct int3_repro_bpf* skel = int3_repro_bpf__open_and_load();
      char ok = (skel && int3_repro_bpf__attach(skel) == 0) ? 1 : 0;
      if (write(ready[1], &ok, 1) != 1) _exit(1);
      for (;;) pause();
    }
    close(ready[1]);
    char ok = 0;
    if (read(ready[0], &ok, 1) != 1) ok = 0;
    close(ready[0]);
    attached += ok;
    sleep_ms(hold_ms);
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
    if (i % 25 == 0) printf("REPRO-PROGRESS iteration=%d attached=%d\n", i, attached), fflush(stdout);
  }
  for (int i = 0; i < 2; i++) kill(load[i], SIGKILL), waitpid(load[i], NULL, 0);
  printf("REPRO-DONE iterations=%d attached=%d\n", iterations, attached);
  return attached == iterations ? 0 : 2;
}
