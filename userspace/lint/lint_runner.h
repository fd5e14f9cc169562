// Walks the given files and directories (recursively, skipping .git and
// symlinks to directories), picks a checker per file and applies the
// suppressions. The only lint file that touches the filesystem.
#pragma once
#include <string>
#include <vector>

#include "lint/finding.h"

namespace sockwarden::lint {

enum class FileKind { Skip, Yaml, Systemd, Text, DaemonJson };

// What a file is, from its name (and, for an extensionless script, its #!).
// Files named on the command line that match nothing are read as Text.
FileKind file_kind(const std::string& path, bool named_explicitly);

// One file's findings and errors appended to `result`.
// walked: found by walking a directory (never follows a symlink, reads only regular files).
void lint_file(const std::string& path, FileKind kind, LintResult& result, bool walked = false);

LintResult lint_paths(const std::vector<std::string>& paths);

}  // namespace sockwarden::lint
