// What a path on the host really is: file identity, volumes and their mount points, Windows paths.
//
// Hyper-V breaks a differencing chain when a child and its parent reach one volume through two
// mount points (C:\Hyper-V\ and D:\ being the same volume; a stale C:\ClusterStorage.000 mounting a
// CSV twice): it compares path text, not identity. This module answers, for paths on this host and
// for Windows paths read from locators:
//   - are two paths one file?             file_identity()   (io's, vhdchain/file_identity.h)
//   - which volume and mount point?        MountTable, locate_host_path()   (/proc/self/mountinfo)
//   - which other paths reach that place?  HostLocation::aliases, WindowsVolumeSet::aliases()
//   - what does a Windows path mean here?  WinPath, PathMap (--map), WindowsVolumeSet (--volumes)
//   - what is wrong with a set of paths?   analyze_host_paths(), analyze_windows_paths()
//
// Everything that reads text or compares paths is a pure function, testable on fixtures; only
// read_mount_table(), resolve_host_path(), probe_host_path(), lookup_case_insensitive() and
// resolve_on_host() touch the system (*_posix/_linux.cc and *_win32.cc implement the same
// declarations). Codes, the
// canonical-path rules and the limits are in docs/hostpath.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vhdchain/file_identity.h"
#include "vhdchain/guid.h"

namespace vhdchain::hostpath {

// ---------------------------------------------------------------------------------------------
// Linux mount table (/proc/self/mountinfo)

struct MountEntry {
  uint32_t mount_id = 0;
  uint32_t parent_id = 0;
  uint32_t major = 0;
  uint32_t minor = 0;
  // Both decoded (octal escapes) and normalised (normalize_host_path); match_mount and
  // locate_host_path rely on that, so a table built by hand must hold normalised paths too.
  std::string root;         // the directory of the filesystem this mount exposes ("/", or a bind's subtree)
  std::string mount_point;  // where it is mounted
  std::string mount_options;
  std::vector<std::string> optional_fields;  // "shared:1", "master:2", ...
  std::string fs_type;
  std::string source;
  std::string super_options;

  std::string device() const;  // "major:minor", the volume key (equals st_dev)
};

struct MountTable {
  std::vector<MountEntry> entries;  // in the kernel's order
};

// Parses mountinfo text. Escapes (\040 space, \011 tab, \012 newline, \134 backslash) are decoded.
// A malformed line throws Error(ErrorCode::format, "<source_name>: line <n>: <what>").
MountTable parse_mountinfo(std::string_view text, std::string_view source_name = "/proc/self/mountinfo");

// Reads and parses /proc/self/mountinfo. Throws IoError when it cannot be read. (Linux only.)
MountTable read_mount_table();

// Lexical normalisation of an absolute POSIX path: "//" and "." dropped, ".." pops (never above
// "/"), no trailing '/'. Relative input is returned unchanged apart from the same tidying.
std::string normalize_host_path(std::string_view path);

// A host path's place in the mount table.
struct MountMatch {
  size_t entry = 0;        // index into MountTable::entries of the mount the path is on
  std::string inner_path;  // path inside the filesystem: mount root + remainder
};

// The mount holding an absolute path: the longest mount point that is a component-wise prefix; of
// stacked mounts on one mount point, the top one. Pure (no symlink resolution): pass a resolved path.
// nullopt when the path is not absolute or no mount covers it.
std::optional<MountMatch> match_mount(const MountTable& table, std::string_view absolute_path);

// Where a host path is, independent of the mount point that reached it.
struct HostLocation {
  std::string path;         // the absolute path located (symlinks resolved by probe_host_path)
  std::string mount_point;  // the mount point it was reached through
  std::string volume;       // volume key: Linux "major:minor"
  std::string mount_root;   // the filesystem directory that mount point exposes ("/" or a bind's subtree)
  std::string inner_path;   // path inside the volume ("/srv/src/sub/f"): equal on every alias
  // Every host path that reaches the same place through a visible mount of the same volume, the
  // canonical one first (rules in docs/hostpath.md). Always contains `path`'s own form.
  std::vector<std::string> aliases;

  const std::string& canonical() const { return aliases.front(); }
  bool is_canonical() const { return aliases.front() == path; }
};

// Locates a resolved absolute path (pure). nullopt when match_mount() finds nothing.
std::optional<HostLocation> locate_host_path(const MountTable& table, std::string_view absolute_path);

// Resolves symlinks as far as the path exists (realpath of the longest existing prefix, the rest
// normalised lexically), relative paths against the working directory. (POSIX.)
std::string resolve_host_path(const std::string& path);

// ---------------------------------------------------------------------------------------------
// Windows paths (pure; used on any host for paths read from VHDX/VHD locators)

enum class WinPathKind {
  drive_absolute,  // C:\x, \\?\C:\x, \\.\C:\x
  unc,             // \\server\share\x, \\?\UNC\server\share\x
  volume_guid,     // \\?\Volume{GUID}\x
  relative,        // x, .\x, ..\x
  drive_relative,  // C:x (relative to drive C's current folder: cannot be resolved offline)
  root_relative,   // \x (the current drive's root: cannot be resolved offline)
};
std::string_view to_string(WinPathKind kind);

enum class WinPrefix {
  none,
  long_path,  // \\?\   (written by Hyper-V in volume_path; the spec asks for it in absolute_win32_path)
  device,     // \\.\   (device namespace)
};

struct WinPath {
  WinPathKind kind = WinPathKind::relative;
  WinPrefix prefix = WinPrefix::none;
  char drive = 0;              // 'A'..'Z' for drive_absolute / drive_relative
  std::string server, share;   // unc, as written
  Guid volume;                 // volume_guid
  // Normalised: no "." or empty components; ".." only at the start of relative paths.
  std::vector<std::string> components;

  bool is_absolute() const {
    return kind == WinPathKind::drive_absolute || kind == WinPathKind::unc || kind == WinPathKind::volume_guid;
  }
  // The root, rendered: "C:\", "\\server\share\", "\\?\Volume{guid}\", "" for relative kinds,
  // "C:" for drive_relative, "\" for root_relative. The \\?\ prefix is kept as parsed.
  std::string root() const;
  // Renders the path: root + components joined with '\'. An empty relative path is ".".
  // trailing_separator appends '\' after a last component (mount points are written that way).
  std::string to_string(bool trailing_separator = false) const;

  friend bool operator==(const WinPath&, const WinPath&) = default;  // exact; see same_windows_path()
};

// Parses a Windows path. '/' is accepted as a separator, repeated separators collapse, "." drops
// and ".." pops (clamped at the root, as GetFullPathNameW does). Throws Error(invalid_argument,
// "windows path \"<text>\": <why>") for an empty text, a UNC path without share, a malformed volume
// GUID or an unsupported \\?\ form.
WinPath parse_windows_path(std::string_view text);
std::optional<WinPath> try_parse_windows_path(std::string_view text);

// Ordinal, case-insensitive comparison of names the way NTFS compares them: code points are
// upper-cased with a simple one-to-one mapping (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic,
// fullwidth Latin; others compare exactly). No Unicode normalisation. See docs/hostpath.md.
std::string fold_case(std::string_view utf8);
bool equal_ignore_case(std::string_view a, std::string_view b);

// Same path, as Windows would see it: same root (drive letter, server and share, volume GUID) and
// the same components compared case-insensitively. The \\?\ prefix does not matter.
bool same_windows_path(const WinPath& a, const WinPath& b);
// True when `prefix` is `path` or one of its ancestors (same root, components case-insensitive).
bool windows_path_starts_with(const WinPath& path, const WinPath& prefix);

// `relative` joined onto the folder holding `child` (an absolute path), normalised like Windows does.
WinPath resolve_relative(const WinPath& child, const WinPath& relative);

// (A relative locator as a host path beside the child is chain::beside (src/chain/stored_path.h),
// which leaves ".." to the kernel: textual ".." is right only for Windows paths, as above.)

// A ClusterStorage.NNN component: the stale root a cluster leaves when it cannot reuse
// C:\ClusterStorage. Semantics of the regex [\\/]ClusterStorage\.\d+([\\/]|$), case-insensitive,
// on Windows or host path text.
struct ClusterStorageRoot {
  std::string root;  // the text up to and including the component: "C:\ClusterStorage.000"
  std::string name;  // the component as written: "ClusterStorage.000"
};
std::optional<ClusterStorageRoot> find_cluster_storage_root(std::string_view path);

// ---------------------------------------------------------------------------------------------
// Windows volumes of a host (mountvol output, Win32_Volume, later the live Win32 APIs)

struct WindowsVolume {
  std::string guid_path;                  // "\\?\Volume{guid}\" (lowercase GUID)
  std::vector<std::string> mount_points;  // "C:\", "C:\Hyper-V\" (always with a trailing '\')
};

// Where a Windows path lands on a host's volumes.
struct VolumePlace {
  size_t volume = 0;                  // index into WindowsVolumeSet::volumes()
  std::string guid_path;              // the volume
  std::string mount_point;            // the mount point matched; "" when reached through the GUID path
  std::vector<std::string> inner;     // components below the volume root, as written in the path

  std::string inner_path() const;     // "\VMs\VM.vhdx" ("\" for the root)
};

// Text files written on Windows as UTF-8: a UTF-8 BOM is dropped; UTF-16LE / UTF-16BE (a BOM, or
// NUL bytes in every other position, which is what PowerShell 5.1's `>` writes) is decoded; other
// bytes pass unchanged (an OEM/ANSI code page is not converted: non-ASCII names will not match).
// For --volumes files: the CLI decodes JSON with this before handing it to nlohmann.
std::string decode_windows_text(std::span<const uint8_t> bytes);

class WindowsVolumeSet {
 public:
  WindowsVolumeSet() = default;
  // Validates and normalises (GUID lowercased, mount points rendered with a trailing '\').
  // Throws Error(invalid_argument) for a malformed GUID path or mount point, or a mount point given
  // for two volumes.
  explicit WindowsVolumeSet(std::vector<WindowsVolume> volumes);

  // The text `mountvol` prints (ASCII/ANSI, UTF-8 with or without BOM, UTF-16LE with BOM or
  // recognised by its NUL bytes, UTF-16BE with BOM; CRLF or LF). The usage text before the list and
  // the localised header are skipped. Throws Error(format, "<source_name>: line <n>: <what>").
  static WindowsVolumeSet from_mountvol(std::span<const uint8_t> bytes, std::string_view source_name);
  // (DeviceID, Name) pairs as Win32_Volume reports them; pairs with one DeviceID are merged. A Name
  // that is empty or the DeviceID itself adds no mount point.
  static WindowsVolumeSet from_device_names(std::span<const std::pair<std::string, std::string>> pairs);

  const std::vector<WindowsVolume>& volumes() const { return volumes_; }

  // The volume holding an absolute path: a GUID path names its volume directly; otherwise the longest
  // mount point that is a prefix (case-insensitive). nullopt for relative and UNC paths, unknown
  // GUIDs and paths under no listed mount point.
  std::optional<VolumePlace> locate(const WinPath& path) const;
  // Every path that reaches `place`: through each mount point (canonical first, see
  // docs/hostpath.md), then through the GUID path.
  std::vector<WinPath> aliases(const VolumePlace& place) const;
  WinPath canonical(const VolumePlace& place) const { return aliases(place).front(); }

 private:
  struct Mount {
    WinPath root;
    size_t volume;
  };
  std::vector<WindowsVolume> volumes_;
  std::vector<Guid> guids_;
  std::vector<Mount> mounts_;
};

// ---------------------------------------------------------------------------------------------
// Path maps (--map WINROOT=HOSTPATH)

struct PathMapping {
  WinPath windows_root;   // absolute: "C:\", "\\?\Volume{guid}\", "\\srv\share\", "C:\ClusterStorage\Volume1\"
  std::string host_root;  // absolute host path, normalised ("/mnt/host-c")
};

// Parses "C:\=/mnt/host-c", "C:=/mnt/c", "Volume{guid}=/mnt/csv1", "\\?\Volume{guid}\=/mnt/v",
// "\\srv\share=/mnt/share", "C:\ClusterStorage\Volume1=/mnt/csv1". The text splits at the first '='
// followed by '/'. Throws Error(invalid_argument, "map \"<text>\": <why>").
PathMapping parse_path_mapping(std::string_view text);

struct MappedPath {
  std::string host_path;               // host_root + the remaining components joined with '/'
  std::string host_root;
  std::vector<std::string> rest;       // components below host_root, as written in the Windows path
  std::string mapping_root;            // the mapping's Windows root, rendered
  std::string windows_path;            // the Windows path that matched: the input or an alias of it
  bool via_alias = false;              // matched only through a volume alias of the input
};

class PathMap {
 public:
  // Throws Error(invalid_argument) when the same Windows root is mapped twice.
  void add(PathMapping mapping);
  const std::vector<PathMapping>& mappings() const { return mappings_; }

  // The mapping with the longest Windows root that is a prefix of `path` (case-insensitive). With a
  // volume set, a path no mapping covers is retried through its aliases (canonical first), so
  // --map D:\=/mnt/d also maps C:\Hyper-V\x and \\?\Volume{guid}\x when those are the same volume.
  std::optional<MappedPath> map(const WinPath& path, const WindowsVolumeSet* volumes = nullptr) const;

 private:
  std::vector<PathMapping> mappings_;
};

// The components of a host path split at '/', empty ones dropped: "/a//b/c" -> {"a", "b", "c"}.
std::vector<std::string> host_path_components(std::string_view path);

// --map in reverse: the Windows path of `host_path` (absolute, its folders' symlinks already
// resolved, resolve_host_path) through the mapping with the longest host root above it; each root
// is tried as given and with its own symlinks resolved. nullopt when no mapping holds it. check
// (a child's Windows path) and compose_parent_paths (the locators written) both use this one.
// Touches the system (resolve_host_path of the roots).
std::optional<WinPath> windows_path_of(const PathMap& map, std::string_view host_path);

// Case-insensitive lookup on a case-sensitive host filesystem (NTFS through ntfs-3g, a copy on ext4).
enum class LookupStatus {
  exact,         // the path exists as written
  case_differs,  // each missing component matched exactly one entry ignoring case
  ambiguous,     // a component matched several entries ignoring case (see candidates)
  not_found,     // a component matched nothing (see component)
  unreadable,    // a directory on the way could not be listed (see error)
};
std::string_view to_string(LookupStatus status);

struct CaseDifference {
  size_t index = 0;    // index into the components asked for
  std::string asked;   // as written in the path
  std::string found;   // as stored on disk
};

struct CaseLookup {
  static constexpr size_t kBase = SIZE_MAX;  // `component` when the base itself is missing or unreadable

  LookupStatus status = LookupStatus::not_found;
  std::string path;                          // exact / case_differs: the existing path; else the
                                             // existing prefix where the walk stopped
  std::vector<CaseDifference> differences;   // case_differs: every component that differed
  size_t component = 0;                      // ambiguous / not_found / unreadable: index of the component
                                             // (kBase: the base)
  std::vector<std::string> candidates;       // ambiguous: full paths of the matches, sorted
  int error = 0;                             // not_found / unreadable: errno of the failing call, if any
};

// Looks up base/components[0]/components[1]/...: the exact path first; when it is missing, walks
// the components, taking an exact entry where there is one and otherwise the single entry equal
// ignoring case (fold_case). `base` is taken as written (it is a host path, not a Windows one).
CaseLookup lookup_case_insensitive(const std::string& base, std::span<const std::string> components);

// A Windows path on this host: map it (PathMap::map), then find it (lookup_case_insensitive).
struct HostResolution {
  std::optional<MappedPath> mapped;  // none: no mapping covers the path
  CaseLookup lookup;                 // meaningful only when mapped

  // The path to open: the existing file (exact or the unique case-insensitive match), else the mapped
  // path as computed (so a "not found" names where it looked), "" when unmapped.
  std::string host_path() const;
};
HostResolution resolve_on_host(const WinPath& path, const PathMap& map, const WindowsVolumeSet* volumes = nullptr);

// ---------------------------------------------------------------------------------------------
// Alias analysis: the raw facts the check command turns into findings

// Stable codes; docs/hostpath.md explains each one.
enum class AliasCode {
  missing,               // one path: nothing there                           ("hostpath.missing")
  unreadable,            // one path: the system refused it                   ("hostpath.unreadable")
  cluster_storage_root,  // one path: passes through a ClusterStorage.NNN root ("hostpath.cluster_storage_root")
  unknown_volume,        // one Windows path: its volume is not in the list    ("hostpath.unknown_volume")
  same_file,             // two paths: one file, same mount point, text differs ("hostpath.same_file")
  hard_link,             // two paths: one file under two names                ("hostpath.hard_link")
  mount_alias,           // two paths: one file through two mount points       ("hostpath.mount_alias")
  volume_alias,          // two paths: different files, one volume, two mount points ("hostpath.volume_alias")
  different_file,        // two paths: both exist, different files             ("hostpath.different_file")
};
std::string_view to_string(AliasCode code);

struct AliasFinding {
  static constexpr size_t kNone = SIZE_MAX;

  AliasCode code = AliasCode::missing;
  size_t first = kNone;    // index of the (first) path concerned
  size_t second = kNone;   // index of the second path for two-path codes
  std::string canonical;   // the path to use instead (may be empty when no better path is known)
  std::string alias;       // the path as given that should be replaced (or the one concerned)
  std::string detail;      // code-specific: the ClusterStorage root, the two mount points, strerror...

  friend bool operator==(const AliasFinding&, const AliasFinding&) = default;
};

// What the system says about one host path.
struct PathFacts {
  std::string path;                       // as given
  FileIdentityResult identity;
  std::optional<HostLocation> location;   // none when no mount covers it
};

// Gathers the facts: file_identity(path) and locate_host_path(table, resolve_host_path(path)). (POSIX.)
PathFacts probe_host_path(const MountTable& table, const std::string& path);

// One path's findings (missing / unreadable / cluster_storage_root), `index` filled in.
std::vector<AliasFinding> analyze_host_path(const PathFacts& facts, size_t index);
// Two paths' finding, if any (same_file / hard_link / mount_alias / volume_alias / different_file).
std::optional<AliasFinding> analyze_host_pair(const PathFacts& a, size_t a_index, const PathFacts& b,
                                              size_t b_index);
// Every path, then every pair in index order (i < j).
std::vector<AliasFinding> analyze_host_paths(std::span<const PathFacts> paths);

// The same analysis on Windows paths against a host's volume list (no file system access): seed
// 000 (C:\Hyper-V\ and D:\ one volume) is recognised from any machine. Identity is "same volume and
// same inner path ignoring case", so hard_link is never reported; different_file means two volumes
// or two inner paths. Resolve relative paths first (resolve_relative); paths whose volume is not
// in the list (UNC, unknown) are only compared as text.
std::vector<AliasFinding> analyze_windows_path(const WindowsVolumeSet& volumes, const WinPath& path, size_t index);
std::optional<AliasFinding> analyze_windows_pair(const WindowsVolumeSet& volumes, const WinPath& a, size_t a_index,
                                                 const WinPath& b, size_t b_index);
std::vector<AliasFinding> analyze_windows_paths(const WindowsVolumeSet& volumes, std::span<const WinPath> paths);

// ---------------------------------------------------------------------------------------------
// Parent paths: what a child stores to find its parent (src/hostpath/parent_paths*.cc; create,
// relink and merge's re-pointing store them)

// Every form a locator can store, composed from host paths. Windows forms use '\'.
struct ParentPaths {
  // ".\parent.vhdx", "..\base\parent.vhdx": the parent relative to the child's folder (VHDX
  // relative_path, VHD W2ru). Empty when no relative form exists (different volumes or drives).
  std::string relative_path;
  // "C:\VMs\parent.vhdx" (VHDX absolute_win32_path as Hyper-V writes it, without \\?\; VHD W2ku and
  // the parent unicode name). Known on Windows; elsewhere only through a path mapping.
  std::optional<std::string> absolute_win32_path;
  // "\\?\Volume{guid}\VMs\parent.vhdx" (VHDX volume_path). Known on Windows, or from a volume list.
  std::optional<std::string> volume_path;
};

// What is known about the host besides its own file system: Windows paths of host folders
// (--map, used in reverse) and the Windows volume list (--volumes). Both optional.
struct ParentPathContext {
  const PathMap* map = nullptr;
  const WindowsVolumeSet* volumes = nullptr;
};

// The locator paths for `parent` as seen from `child` (host paths; child need not exist yet).
// relative_path is computed from the host paths after resolving symlinks of their folders;
// absolute_win32_path and volume_path from the Win32 APIs on Windows, elsewhere from the context.
ParentPaths compose_parent_paths(const std::string& child, const std::string& parent,
                                 const ParentPathContext& context = {});

}  // namespace vhdchain::hostpath
