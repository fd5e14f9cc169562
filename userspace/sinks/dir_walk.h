// Opening an output's directory without following symlinks in any component.
// The agent writes as root; whoever can write a directory on the way to
// --output (or rename one) could otherwise plant a symlink there and point
// the agent's appends and rotations at /etc or another user's files. A
// symlinked component is refused (ELOOP), never followed.
#pragma once
#include <string>

namespace sockwarden {

// DIR ("" = the current directory) walked component by component from "/"
// (absolute) or "." (relative), each opened with O_DIRECTORY|O_NOFOLLOW; with
// CREATE, a missing component is made (mode 0750). On success *FD is a
// read-only fd of the directory (the caller closes it) and 0 is returned; else
// an errno (ELOOP: a component is a symlink) and, if BAD is not null, *BAD
// names the offending component's path.
int open_dir_nofollow(const std::string& dir, bool create, int* fd, std::string* bad = nullptr);

}  // namespace sockwarden
