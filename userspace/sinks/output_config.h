// What the config file's `outputs:` list (or --output) describes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sockwarden {

enum class FsyncMode { Never, EveryEvent, Interval };

struct OutputConfig {
  enum class Type { Stdout, File, Syslog } type = Type::Stdout;
  std::string name;          // in loss causes and metrics; defaults: "stdout", the file's path, "syslog"
  size_t queue_size = 8192;  // records waiting for the writer thread
  // file
  std::string path;
  uint64_t max_size_bytes = 0;  // 0 = no rotation
  uint32_t max_files = 5;       // rotated files kept: path.1 .. path.N
  FsyncMode fsync = FsyncMode::Never;
  uint32_t fsync_interval_ms = 1000;
  // syslog
  std::string socket_path = "/dev/log";
  int facility = 1;  // RFC 5424 facility code (1 = user, 3 = daemon, 16..23 = local0..7)
  std::string app_name = "sockwarden";
  // How long a message is held while reconnecting to a receiver that went away (not a config
  // key: tests shorten it).
  uint32_t reconnect_hold_ms = 2000;
};

struct HeartbeatConfig {
  uint32_t interval_sec = 60;  // 0 = no heartbeat events
  std::string prometheus_file;  // "" = none
};

}  // namespace sockwarden
