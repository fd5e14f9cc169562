// The `run` command line (and the capture options trace shares), built by one
// function so that main() and the config-surface test get the same CLI11
// options: the test checks every option against the config keys.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "agent/config_file.h"
#include "agent/config_keys.h"

namespace sockwarden {

// What `run`'s options write to.
struct RunCommandLine {
  AgentConfig cfg;          // the option values (defaults where not typed)
  std::string output;       // -o, --output
  std::string config_path;  // -c, --config
  bool check_config = false;
  bool no_audit = false;
};

// --host-root: one definition for run, trace, audit and doctor, so that the
// option means the same everywhere.
void add_host_root_option(CLI::App* cmd, std::string& dir);

// The socket/tier/budget/policy options of trace and run.
void add_capture_options(CLI::App* cmd, AgentOptions& o);

// Adds the `run` subcommand with all its options to `app`.
CLI::App* add_run_command(CLI::App& app, RunCommandLine& s);

// CLI11 validators from config_keys.h's specs: the same bounds and wording
// as the config file ("--payload-cap: 99999 is out of range, expected 0 to 16384").
CLI::Validator check_spec(const IntSpec& spec);
CLI::Validator check_spec(const DecimalSpec& spec);

}  // namespace sockwarden
