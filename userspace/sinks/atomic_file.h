// Replacing a file whole, safely, in a directory someone else may also write.
#pragma once
#include <string>

namespace sockwarden {

// Writes TEXT to a fresh, unpredictably named temp file in PATH's directory
// (O_TMPFILE when the filesystem has it, else mkostemp), then renames it over
// PATH through a directory fd: readers never see half a file, and nothing
// planted at a predictable name (PATH.tmp as a symlink to /etc/shadow, a
// FIFO) is opened, truncated or followed. A symlink planted at PATH itself is
// replaced, not followed (rename(2) never follows the last component).
// mode: the new file's permissions. 0 or errno.
int write_file_atomically(const std::string& path, const std::string& text, unsigned mode = 0644);

}  // namespace sockwarden
