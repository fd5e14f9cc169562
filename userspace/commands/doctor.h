// sockwarden doctor: what this kernel allows and which tier would run.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "capture/bpf_tier.h"
#include "capture/watch_list.h"

namespace sockwarden {

struct AgentOptions;

struct DoctorOptions {
  std::vector<std::string> sockets;  // --socket (checked on top of the default list)
  std::string host_root;             // --host-root: socket paths are looked up under it ("" = own root)
  bool json = false;                 // --json: one JSON object (docs/doctor.md) instead of the checklist
};

// One trial load.
struct DoctorTier {
  std::string name, hooks, needs, enforcement;
  std::string enforcement_level;       // "full", "path-only" or "none" (Enforcer::level per tier)
  bool tried = false;                  // false: the privilege/BTF check failed first
  bool loads = false;
  std::vector<std::string> reasons;    // why it did not load (libbpf / kernel error text)
  std::vector<std::string> without;    // optional programs this kernel refused, with why
  std::string payload_source;          // where a send's bytes are read from (tiers.md)
  std::string io_uring;                // whether io_uring sends are seen
  std::string refused_connects;        // connects the kernel refuses: seen or not, on this kernel
  std::string variant;                 // build of the BPF object that loaded: "current" or "5.10" ("" if none)
  std::vector<std::string> weaker;     // what that build does less well than the current one
};

// One path a socket spec names (a glob names each match).
struct DoctorSocketPath {
  std::string path;      // host path, or "@name"
  bool exists = false;   // something is at the path (for @name: listed in /proc/net/unix)
  bool is_socket = false;
  std::optional<ino_t> inode;
  std::optional<uint32_t> dev;  // kernel encoding: major << 20 | minor
};

struct DoctorSocketSpec {
  std::string spec;
  bool from_default = false;  // the built-in list (else --socket)
  bool abstract = false;
  bool glob = false;
  std::vector<DoctorSocketPath> paths;
};

// Every fact doctor reports; filled by collect_doctor, printed as text or JSON.
struct DoctorReport {
  std::string host_root;  // normalized ("" = the agent's own root)
  std::string kernel_release, kernel_machine;
  uid_t euid = 0;
  // Effective capabilities that matter to the agent, by name (CAP_BPF, ...).
  std::vector<std::pair<std::string, bool>> capabilities;
  // check_privileges_and_btf: code 0 = passed, else the UserError's code, text and hint.
  int check_code = 0;
  std::string check_error, check_hint;
  std::string btf_path;
  bool btf_present = false;
  std::optional<std::string> cgroup2;  // mount point in the agent's own mount namespace
  std::optional<bool> bpf_lsm;         // bpf_lsm_active(): what the lsm tier checks
  std::string bpf_lsm_detail;
  std::optional<std::string> lsm_list;  // /sys/kernel/security/lsm, raw
  std::string lsm_source;               // where lsm_list was read
  std::vector<DoctorTier> tiers;        // best first
  std::vector<KernelFeature> features;  // probe_kernel_features(): what the tiers use
  VariantChoice variant;                // bpf_variant(): which build and why
  bool below_floor() const;             // a floor feature (BTF, ring buffer) is missing
  std::vector<ResolvedWatch> resolved;  // what the agent would watch now (text listing)
  std::vector<DoctorSocketSpec> sockets;
  std::string selected() const;  // first tier that loads, "" if none
  int exit_code() const;         // 0 a tier loads, check_code if the check failed, else 4
};

// Validates the options (throws UserError(kExitUsage)), then checks everything,
// trial-loading each tier. Never throws for a failed check.
DoctorReport collect_doctor(const DoctorOptions& opts);

// The checklist (unchanged layout: vmtest/run.sh reads its lines).
void print_doctor_text(std::ostream& out, const DoctorReport& r);

// One JSON object on one line (schema/sockwarden-doctor.schema.json).
std::string doctor_json(const DoctorReport& r);

// Prints the checklist (or JSON) and returns the exit code (0 if some tier loads).
// agent: the options `run` would use (config file included), for the text
// list of expected-caller rules in force; nullptr when they could not be loaded.
int run_doctor(std::ostream& out, const DoctorOptions& opts, const AgentOptions* agent = nullptr);

}  // namespace sockwarden
