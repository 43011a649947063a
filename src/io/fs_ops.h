// The few whole-file operations the writers need besides File: publishing a finished new file
// under its final name, removing a sidecar, and making either durable.
//
// Crash safety rests on the usual ordering (docs/ecosystem.md section 6): data, flush, then the
// rename that publishes it, then a flush of the directory so the new name itself survives a power
// loss (fsync of a file does not persist its directory entry on Linux; on Windows
// MoveFileExW(MOVEFILE_WRITE_THROUGH) returns only once the move is on disk).
#pragma once

#include <string>
#include <string_view>

namespace vhdchain::io {

// Renames `from` to `to` and makes the rename durable. Fails (ErrorCode::io, EEXIST /
// ERROR_ALREADY_EXISTS) when `to` exists: a new disk never replaces a file silently.
void rename_no_replace(const std::string& from, const std::string& to);

// Renames `from` over `to` (replacing it) and makes the rename durable.
void rename_replace(const std::string& from, const std::string& to);

// Removes a file and makes the removal durable. A file that does not exist is not an error.
void remove_file(const std::string& path);

// True when something (file, directory, dangling symlink) exists at path.
bool path_exists(const std::string& path);

// The folder of a path, the one rule for every caller. Separators are '/' and, on Windows only,
// '\' and the ':' of a drive ("C:child.vhdx" is in drive C's current folder); on POSIX a '\' is
// part of a file name. npos: a bare name.
size_t last_separator(std::string_view path);
// The folder holding `path`: "." for a bare name, "/" for a name at the root ("C:\" and "C:" keep
// their separator on Windows), else the text before the last separator.
std::string folder_of(std::string_view path);
// The name after the last separator (the whole text for a bare name).
std::string_view file_name_of(std::string_view path);

// Flushes the directory holding `path` so a create, rename or remove in it is durable. No-op on
// Windows, where the operations above are write-through.
void sync_parent_directory(const std::string& path);

}  // namespace vhdchain::io
