set(SW_ENRICH_SOURCES
  enrich/mountinfo.cpp
  enrich/cgroup_resolver.cpp
  enrich/process_table.cpp
  enrich/boot_clock.cpp
  enrich/attempt_resolver.cpp
  enrich/event_builder.cpp
  # container resolution: cgroup path -> runtime metadata on disk
  enrich/cgroup_layout.cpp
  enrich/cmdline_args.cpp
  enrich/small_file.cpp
  enrich/bolt_db.cpp
  enrich/host_process.cpp
  enrich/runtime_state.cpp
  enrich/storage_list_index.cpp
  enrich/docker_data_root.cpp
  enrich/container_resolver.cpp
  enrich/docker_host_config.cpp
  # the host's cgroup2 hierarchy from inside a cgroup namespace (docs/kubernetes-cgroupns.md)
  enrich/cgroup_walk.cpp
  enrich/host_cgroup2.cpp
  # request effects: what dockerd configured (agent/request_effects)
  enrich/docker_effect_state.cpp
  enrich/podman_effect_state.cpp
  enrich/containerd_effect_state.cpp
  enrich/docker_image_state.cpp
  enrich/podman_image_state.cpp
  enrich/docker_plugin_state.cpp
  enrich/containerd_image_state.cpp)
