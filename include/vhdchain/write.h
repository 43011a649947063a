// The write layer: creating disks, re-pointing a child at its parent, replaying a pending log or
// journal. Every function here follows the format's own crash-safety rules (docs/design-writes.md):
//
//   - VHDX: the header update protocol (MS-VHDX 2.2.2.1) before the first change, every metadata,
//     region table and BAT change through the VHDX log (entry, flush, apply, flush), payload
//     outside the log.
//   - VHD: the footer, dynamic header and locator changes through a fsynced sidecar journal
//     (FILE.vhdchain-journal), replayed or discarded by the next writable open.
//   - New files: written under a temporary name beside the target, flushed, then published with a
//     rename that never replaces an existing file.
//
// Planning and applying are separate so every command can show a --dry-run that is exactly what
// the real run writes. Writable opens lock the file (flock / LockFileEx) and refuse one that is
// locked (ErrorCode::locked). The library never prints: plans and results are returned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vhdchain/disk_image.h"
#include "vhdchain/guid.h"
#include "vhdchain/hostpath.h"
#include "vhdchain/preflight.h"

namespace vhdchain {

// Parent paths (what a child stores to find its parent) are composed from host paths, --map and
// --volumes: hostpath's job (vhdchain/hostpath.h); the write layer stores them.
using hostpath::compose_parent_paths;
using hostpath::ParentPathContext;
using hostpath::ParentPaths;

// ---------------------------------------------------------------------------------------------
// Planned changes (what --dry-run prints)

// One change to a file's bytes.
struct ByteChange {
  uint64_t offset = 0;
  std::vector<uint8_t> before;  // the bytes there now (shorter, or empty, where the file grows)
  std::vector<uint8_t> after;   // the bytes written
  std::string structure;        // "metadata item parent locator", "dynamic header", "footer", ...
};

// One parent locator key as stored before and after (VHDX keys; VHD: "parent_unique_id",
// "parent_timestamp", "parent_unicode_name" and the platform codes "W2ru", "W2ku", ...).
struct LocatorChange {
  std::string key;
  std::optional<std::string> before;  // absent: the key is added
  std::optional<std::string> after;   // absent: the key is removed
  bool changed() const { return before != after; }
};

// ---------------------------------------------------------------------------------------------
// Re-pointing a child (repair --set-parent, --fix-aliases)

struct NewParentLink {
  Guid linkage;        // the identity the child will accept: parent's DataWriteGuid / VHD unique id
  ParentPaths paths;   // where to find it
  // The parent's host path. apply_relink runs the write preflight (vhdchain/preflight.h) on the
  // link child -> parent: both validated, sizes, format, identity (unless ignore_id_mismatch),
  // cycles. Empty: only the child is locked and validated (the caller vouches for the parent).
  std::string parent;
  bool ignore_id_mismatch = false;
  // VHD only: the parent time stamp to store (seconds since 2000-01-01 UTC; Hyper-V writes 0).
  std::optional<uint32_t> vhd_parent_timestamp;
};

struct RelinkPlan {
  std::string child;                    // the child's path
  std::string parent;                   // NewParentLink::parent, for apply_relink's preflight
  bool ignore_id_mismatch = false;
  DiskFormat format = DiskFormat::vhdx;
  std::vector<LocatorChange> locators;  // every key, changed or not, in the order written
  std::vector<ByteChange> bytes;        // every structure written, in file order
  bool changes_anything() const { return !bytes.empty(); }
};

// Plans the rewrite of `child`'s parent link (read-only: opens the file read-only). The VHDX
// parent locator item is rebuilt with the keys in Hyper-V's order; parent_linkage becomes
// link.linkage; a non-zero parent_linkage2 is kept only when it equals link.linkage (an
// interrupted merge otherwise loses its evidence: the caller refuses that case). Throws
// Error(invalid_argument) when child is not a differencing disk.
RelinkPlan plan_relink(const std::string& child, const NewParentLink& link);

// Applies a plan made by plan_relink on the same, unchanged file (the bytes it expects to find
// are checked first; Error(invalid_argument) when the file changed since planning). The write
// preflight runs first and its locks are held through the write: Error(refused) names why, with
// nothing written. An I/O failure once writing began says what state the child is in and what to
// run next.
void apply_relink(const RelinkPlan& plan);

// Which of the parent's paths a re-pointed (repair --fix-aliases) or new (create --parent) link
// should go through when the parent's volume is mounted more than once (seed 000), from the facts
// of both files (hostpath::probe_host_path):
//   - with `prefer` (--prefer ROOT): the parent's alias under ROOT; none there throws
//     Error(invalid_argument) listing the parent's paths;
//   - otherwise the alias under the child's own mount point, so Hyper-V finds child and parent by
//     one path family, unless that is a ClusterStorage.NNN root (a stale mount Microsoft says to
//     remove, never one to link through);
//   - otherwise the canonical path, or the first alias that avoids ClusterStorage.NNN roots.
// Without a location for the parent, the parent's path as given.
std::string choose_parent_path(const hostpath::PathFacts& child, const hostpath::PathFacts& parent,
                               const std::optional<std::string>& prefer);

// repair --fix-aliases: the parent a child reaching it through a second mount point of its volume
// is re-pointed at (choose_parent_path on both paths as probed through `table`).
std::string alias_fix_parent(const hostpath::MountTable& table, const std::string& child, const std::string& parent,
                             const std::optional<std::string>& prefer = std::nullopt);

// The preflight request apply_relink makes for a plan (the CLI runs it to show refusals first).
PreflightRequest relink_preflight_request(const RelinkPlan& plan);

// ---------------------------------------------------------------------------------------------
// Pending logs and journals (repair --replay-log; every writable open does this first)

struct ReplayResult {
  bool was_pending = false;      // false: nothing to do, nothing written
  uint32_t entries_replayed = 0; // VHDX log entries / VHD journal records applied
  bool journal_discarded = false;// VHD: a torn journal (never applied) was removed
};

// Applies a pending VHDX log in place (as Hyper-V would on open) and marks the log empty, or
// finishes / discards a VHD sidecar journal. A clean file is left byte-identical. The write
// preflight locks the file and validates it first (a VHD with a pending journal: locked only);
// Error(refused) when it refuses.
ReplayResult replay_pending(const std::string& path);

// The sidecar journal path of a VHD (and whether one is there): "<path>.vhdchain-journal".
std::string vhd_journal_path(const std::string& vhd_path);

// ---------------------------------------------------------------------------------------------
// Creating disks (create)

struct CreateOptions {
  DiskFormat format = DiskFormat::vhdx;
  DiskType type = DiskType::dynamic;
  uint64_t virtual_size = 0;          // ignored for differencing: the parent's
  uint32_t block_size = 0;            // 0: the format's default (VHDX 32 MiB dynamic / 2 MiB
                                      // differencing, as Hyper-V; VHD 2 MiB)
  uint32_t logical_sector_size = 0;   // 0: 512 (differencing: the parent's)
  uint32_t physical_sector_size = 0;  // 0: 4096 for VHDX, 512 for VHD (differencing: the parent's)
  // Differencing: the parent (a host path) and the locator paths to store for it.
  std::string parent;
  ParentPaths parent_paths;
  // How the parent's own parents are found (the CLI's --map/--volumes): the parent must open as a
  // whole chain, as Hyper-V requires of a new child's parent.
  ChainOptions chain_options;
};

struct CreateResult {
  ImageInfo info;  // the new disk, as read back after it was published
};

// Creates `path` (which must not exist). The file is built under a temporary name in the same
// folder and published by a rename, so a crash leaves either no disk or the whole disk. A
// differencing disk's parent chain is opened whole (a broken chain throws what open_chain throws)
// and every layer of it is locked shared and validated by the write preflight first
// (Error(refused) when one is truncated, corrupt or being written).
CreateResult create_disk(const std::string& path, const CreateOptions& options);

}  // namespace vhdchain

namespace vhdchain {

// ---------------------------------------------------------------------------------------------
// Planning a create (create --dry-run): everything create_disk decides before writing

struct CreatePlan {
  std::string path;
  DiskFormat format = DiskFormat::vhdx;
  DiskType type = DiskType::dynamic;
  uint64_t virtual_size = 0;
  uint32_t block_size = 0;
  uint32_t logical_sector_size = 0;
  uint32_t physical_sector_size = 0;
  uint64_t file_size = 0;                  // the new file's length (a fixed disk: all allocated on the volume)
  std::optional<Guid> virtual_disk_id;     // differencing: the parent's (copied, as Hyper-V does);
                                           // otherwise a new random one, chosen when writing
  // Differencing: the parent and every locator entry in the order written (VHDX keys).
  std::string parent;
  std::optional<Guid> parent_identity;
  std::vector<LocatorEntry> parent_locator;
};

// What create_disk(path, options) would write, with every default and every value taken from the
// parent resolved; the same checks and errors as create_disk, nothing written. When options'
// parent_paths are all empty the paths are composed with compose_parent_paths(path, parent).
// VHD plans list the parent fields as info shows them: parent_unicode_name, then W2ku / W2ru.
CreatePlan plan_create(const std::string& path, const CreateOptions& options);

}  // namespace vhdchain
