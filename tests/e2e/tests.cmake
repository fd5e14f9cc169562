# End-to-end suite against a real, test-private dockerd (root; docker.io, containerd, runc,
# busybox-static from scripts/setup.sh). Include from tests/CMakeLists.txt:
#   include(e2e/tests.cmake)
# Each test starts its own dockerd under a mktemp dir and stops it by pid.
# Measured wall time: 3-6 s per test on a quiet machine, 12.2 s in a clean-clone run beside two
# niced builds (2 vCPU, kernel 6.18); TIMEOUT leaves room for a loaded CI machine.
# Exit 77 (not root, docker tools missing) fails the test: CI must never pass by skipping.
foreach(_sw_tier socket-tp syscall-tp)
  string(REPLACE "-" "_" _sw_name "${_sw_tier}")
  add_test(NAME e2e.dockerd.${_sw_name}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_dockerd_trace.sh ${_sw_tier} $<TARGET_FILE:sockwarden>)
  set_tests_properties(e2e.dockerd.${_sw_name} PROPERTIES
    RUN_SERIAL TRUE
    TIMEOUT 90
    LABELS "e2e;root")
endforeach()
unset(_sw_tier)
unset(_sw_name)

# The podman layout for real: a private rootful podman (cgroupfs manager, vfs storage)
# serving its Docker-compatible API; measured 5 s per test.
foreach(_sw_tier socket-tp syscall-tp)
  string(REPLACE "-" "_" _sw_name "${_sw_tier}")
  add_test(NAME e2e.podman.${_sw_name}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_podman_trace.sh ${_sw_tier} $<TARGET_FILE:sockwarden>)
  set_tests_properties(e2e.podman.${_sw_name} PROPERTIES
    RUN_SERIAL TRUE
    TIMEOUT 60
    LABELS "e2e;root")
endforeach()
unset(_sw_tier)
unset(_sw_name)

# sockwarden audit against a real dockerd (no BPF): containers with the socket mounted
# elsewhere, privileged + host root, an unrelated one, and a live host connection.
# Measured wall time: ~3 s quiet, 7.6 s in a clean-clone run under load (2 vCPU, kernel 6.18).
add_test(NAME e2e.dockerd.audit
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_dockerd_audit.sh $<TARGET_FILE:sockwarden>)
set_tests_properties(e2e.dockerd.audit PROPERTIES
  RUN_SERIAL TRUE
  TIMEOUT 90
  LABELS "e2e;root")

# The container image (scripts/build-image.sh, deploy/docker/) run with least privilege against a
# real dockerd: docker with the documented capability set catches the attacker's privileged
# create, then each capability is removed in turn (docker, and containerd/runc with the split
# BPF/PERFMON/NET_ADMIN/SYS_PTRACE set). Measured wall time: 18-30 s (2 vCPU, kernel 6.18, loaded).
add_test(NAME e2e.image.socket_tp
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_image.sh $<TARGET_FILE:sockwarden>)
set_tests_properties(e2e.image.socket_tp PROPERTIES
  RUN_SERIAL TRUE
  TIMEOUT 90
  LABELS "e2e;root")

# run's continuous audit against a real dockerd: a socket-mounting container created and removed
# through the watched socket (hour-long interval: the decoded requests trigger), then SIGHUP to a
# 2 s interval and a containerd container started behind the agent's back. Measured ~16 s per tier
# (2 vCPU shared with other builds, kernel 6.18); one evaluation takes 0.03-0.2 s here.
foreach(_sw_tier socket-tp syscall-tp)
  string(REPLACE "-" "_" _sw_name "${_sw_tier}")
  add_test(NAME e2e.dockerd.contaudit.${_sw_name}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_dockerd_contaudit.sh ${_sw_tier} $<TARGET_FILE:sockwarden>)
  set_tests_properties(e2e.dockerd.contaudit.${_sw_name} PROPERTIES
    RUN_SERIAL TRUE
    TIMEOUT 90
    LABELS "e2e;root")
endforeach()
unset(_sw_tier)
unset(_sw_name)

# trace's live table on a pseudo-terminal (util-linux script) against a real dockerd: width
# fitting (100 columns, then 72 after a SIGWINCH), time order, views, Top callers' container
# names. Two trace runs of a few seconds each; measured 20-24 s (2 vCPU, kernel 6.18).
add_test(NAME e2e.dockerd.trace_tty
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_trace_tty.sh $<TARGET_FILE:sockwarden>)
set_tests_properties(e2e.dockerd.trace_tty PROPERTIES
  RUN_SERIAL TRUE
  TIMEOUT 90
  LABELS "e2e;root")

# The agent in a cgroup namespace of its own (a Kubernetes pod on a cgroup v2 node), against a
# real dockerd: attribution by cgroup id through the host's hierarchy, given with --host-cgroup2
# or found under --host-root, and a control agent that has neither. Measured 7-25 s (2 vCPU shared
# with other builds, kernel 6.18).
add_test(NAME e2e.cgroupns.socket_tp
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_cgroupns_trace.sh $<TARGET_FILE:sockwarden>)
set_tests_properties(e2e.cgroupns.socket_tp PROPERTIES
  RUN_SERIAL TRUE
  TIMEOUT 90
  LABELS "e2e;root")

# Request effects (docs/request-effects.md) against the real daemons, each test_<runtime>_effects.sh
# per host tier; "runtime:TIMEOUT":
#   dockerd     creates and an exec whose risky fields a monitor reading the caller's bytes cannot
#               see (16 KiB of padding in one write, dribbled, chunked; lowercase keys), checked
#               against what the private dockerd configured and ran (9-10 s per tier);
#   podman      the same through podman's compat API: the OCI spec podman writes at a container's
#               first start, the exec from the kernel's exec record, and the same through the libpod
#               API (tests/e2e/podman.sh; 43-51 s);
#   containerd  containerd's own gRPC API: the OCI spec of the task's bundle, ctr (Go) and gRPC's
#               C core (python3-grpcio), a privileged spec behind 16 KiB of padding, an exec whose
#               spec hides the same way, and a plain container (no false alarm);
#   cri         a real containerd's CRI plugin: kubelet's calls from gRPC's C core, a privileged
#               create hidden behind a 16 KiB label, and a plain container.
foreach(_sw_rt dockerd:90 podman:120 containerd:120 cri:120)
  string(REPLACE ":" ";" _sw_rt "${_sw_rt}")
  list(GET _sw_rt 0 _sw_runtime)
  list(GET _sw_rt 1 _sw_timeout)
  foreach(_sw_tier socket-tp syscall-tp)
    string(REPLACE "-" "_" _sw_name "${_sw_tier}")
    add_test(NAME e2e.${_sw_runtime}.effects.${_sw_name}
             COMMAND ${CMAKE_CURRENT_LIST_DIR}/test_${_sw_runtime}_effects.sh ${_sw_tier} $<TARGET_FILE:sockwarden>)
    set_tests_properties(e2e.${_sw_runtime}.effects.${_sw_name} PROPERTIES
      RUN_SERIAL TRUE
      TIMEOUT ${_sw_timeout}
      LABELS "e2e;root")
  endforeach()
endforeach()
unset(_sw_rt)
unset(_sw_runtime)
unset(_sw_timeout)
unset(_sw_tier)
unset(_sw_name)

# Every e2e test gets E2E_DEADLINE, 15 s below its TIMEOUT: tests/e2e/dockerd.sh's watchdog then
# stops the script with SIGTERM (its trap cleans up) before ctest's SIGKILL would.
get_directory_property(_sw_all_tests TESTS)
foreach(_sw_t IN LISTS _sw_all_tests)
  if(_sw_t MATCHES "^e2e\\.")
    get_test_property(${_sw_t} TIMEOUT _sw_timeout)
    if(_sw_timeout AND _sw_timeout GREATER 30)
      math(EXPR _sw_deadline "${_sw_timeout} - 15")
      set_property(TEST ${_sw_t} APPEND PROPERTY ENVIRONMENT "E2E_DEADLINE=${_sw_deadline}")
    endif()
  endif()
endforeach()
unset(_sw_all_tests)
unset(_sw_t)
unset(_sw_timeout)
unset(_sw_deadline)
