// What a path stored in a parent locator means on this host.
//
// Locators are written by Windows: backslashes, drive letters, UNC and volume GUID paths, relative
// paths with a ".\" prefix (Hyper-V writes it; XEN copies it "for Microsoft compatibility"). These
// helpers only classify and rewrite text; whether a file exists there is resolve_parent's business.
// ".." segments are kept as they are, so the kernel resolves them the way it resolves any path.
#pragma once

#include <string>
#include <string_view>

namespace vhdchain::chain {

enum class StoredPathKind {
  empty,             // nothing usable ("", ".\")
  relative,          // relative to the child's folder: ".\parent.vhdx", "..\base\parent.vhdx"
  posix_absolute,    // "/srv/vms/parent.vhdx" (written by non-Windows tools)
  windows_absolute,  // "C:\vms\parent.vhdx", "\\?\C:\...", "\\server\share\...", "\vms\parent.vhdx"
  windows_volume,    // "\\?\Volume{guid}\vms\parent.vhdx"
};

StoredPathKind classify_stored_path(std::string_view stored);

// A relative stored path as a relative host path: '\' -> '/', empty and "." segments dropped.
std::string relative_to_host(std::string_view stored);

// The last component of a stored path: after the last '\' or '/', or after a drive's "X:".
std::string_view stored_file_name(std::string_view stored);

// `relative` (already a host path) in the folder that holds `child_path`, without "." segments.
// On Windows `child_path` may also use backslashes or be drive-relative ("C:child.avhdx").
std::string beside(const std::string& child_path, std::string_view relative);

// Drops "." and empty segments ("a/./b//c" -> "a/b/c"); keeps a leading '/' and every "..".
std::string tidy_host_path(std::string_view path);

}  // namespace vhdchain::chain
