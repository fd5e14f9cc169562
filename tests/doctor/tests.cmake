# `sockwarden doctor --json` (schema, facts cross-checked by real trial loads, forced failures:
# unprivileged user, no BTF, no cgroup v2) and --host-root for doctor and audit. Need root.
# Measured on the shared 2-core machine: doctor.json 3-7 s, doctor.host_root 1.5-4 s.
add_test(NAME doctor.json
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_doctor_json.py $<TARGET_FILE:sockwarden>)
set_tests_properties(doctor.json PROPERTIES LABELS "doctor" TIMEOUT 300)
add_test(NAME doctor.host_root
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_host_root.py $<TARGET_FILE:sockwarden>)
set_tests_properties(doctor.host_root PROPERTIES LABELS "doctor" TIMEOUT 300)
