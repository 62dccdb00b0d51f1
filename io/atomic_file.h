#pragma once
// Atomic file replacement: the bytes go to a temporary file in the target's folder, which is
// flushed, fsync'ed and renamed over the target (then the folder is fsync'ed). Readers see the old
// file or the new one, never a partial write; a crash or a failed write leaves the old file.
#include <string>
#include <string_view>

namespace xg::io {

// IOError naming the path, the failing step and the system's reason (read-only folder, missing
// folder, disk full, target is a directory, ...); the temporary file is removed on failure.
// The new file gets mode 0644.
void write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace xg::io
