// `check`: every disk under some paths, how they link into chains, and what is wrong with them.
//
// An admin runs this before deleting checkpoints and every night from a script. The job is to see
// what Hyper-V will trip over before it does: a parent it cannot find (or finds through another
// mount point of the same volume, seed 000), an identity or size mismatch, a cycle, a pending log,
// a snapshot tree where merging one branch invalidates the others (seed 002), orphans left by failed
// backups (seed 004), and chains that can outgrow the volume they live on (seed 001).
//
// run_check() scans files and folders, opens every disk read-only (headers and metadata; BATs for
// capacity; payload only with `deep`), resolves each differencing disk's parent with the chain/
// resolver (every candidate recorded), follows parents outside the scanned folders, and builds the
// forest. Findings carry stable codes (docs/check.md lists them all), a severity and the Hyper-V
// error an admin would otherwise meet. The library only reports; the CLI renders and picks the exit
// status from Report::status.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vhdchain/chain.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::check {

enum class Severity { ok, info, warning, critical };
std::string_view to_string(Severity severity);  // "ok" | "info" | "warning" | "critical"

// The verdict over everything checked, in monitoring-plugin terms. unknown: some input could not
// be read, so no verdict is possible for it (and nothing critical was found elsewhere).
enum class Status { ok, warning, critical, unknown };
std::string_view to_string(Status status);  // "ok" | "warning" | "critical" | "unknown"

struct Finding {
  std::string code;          // stable, documented: "parent.missing", "alias.parent_via_other_mount", ...
  Severity severity = Severity::info;
  bool inconclusive = false; // the check could not be completed for these files (status unknown)
  std::string message;       // one line, names the files and what to do
  std::vector<std::string> paths;  // the files involved, the one the finding is about first
  std::string hyperv_error;        // "0xC03A000D" when Hyper-V reports this with an error code
  std::string hyperv_error_name;   // "ERROR_VHD_PARENT_VHD_NOT_FOUND"
  std::vector<size_t> disks;       // indices into Report::disks (for per-chain status)
  uint64_t reclaimable_bytes = 0;  // merge.kept_source: what deleting the file gives back
};

// What one finding code means; the catalogue is the single source of codes (docs/check.md).
struct FindingKind {
  std::string_view code;
  Severity severity;
  bool inconclusive;
  std::string_view hyperv_error;
  std::string_view hyperv_error_name;
  std::string_view summary;
};
std::span<const FindingKind> finding_catalogue();
const FindingKind& finding_kind(std::string_view code);  // throws Error(invalid_argument) if unknown

// Room a chain needs. Growth counts only files that can still be written: a disk with children is
// read-only to Hyper-V, so only leaves and standalone dynamic disks grow.
struct Capacity {
  uint64_t file_bytes = 0;     // sum of the chain's file sizes
  uint64_t growth_bytes = 0;   // how much the writable layer can still grow (worst case: every block)
  uint64_t merge_bytes = 0;    // new space a merge of the whole chain into its base would need
  std::optional<uint64_t> free_bytes;  // free space of the volume holding the leaf
  bool known = true;           // false when a BAT could not be read (numbers are partial)
};

struct Disk {
  std::string path;            // the path it was first found or reached through
  std::vector<std::string> other_paths;  // the same file reached through other paths
  std::vector<std::string> scanned_as;   // every path the scan found it through (two: mounted twice)
  bool scanned = false;        // found under the given PATHs (else only reached as a parent)
  FileIdentity key{};
  std::shared_ptr<const DiskImage> image{};  // null when it could not be opened
  std::string error;           // why it could not be opened (message names file, structure, offset)
  std::optional<std::string> windows_path;  // its path on the Windows host, through --map in reverse
  ParentResolution resolution{};   // differencing disks: every candidate and its outcome
  std::optional<size_t> parent;    // index into Report::disks
  std::string parent_path;         // the path the parent was reached through
  std::vector<size_t> children;
  uint64_t growth_bytes = 0;       // this file's own room to grow (0 for fixed and for disks with children)
};

struct Chain {
  std::vector<size_t> layers;  // leaf first; ends at a base, or at the last disk reached (orphan)
  bool complete = false;       // ends at a non-differencing disk
  Severity severity = Severity::ok;  // the worst finding that involves one of its layers
  bool inconclusive = false;
  Capacity capacity;
};

struct Report {
  std::vector<Disk> disks;
  std::vector<Chain> chains;   // one per leaf (a disk no other disk links to), sorted by leaf path
  std::vector<Finding> findings;
  Status status = Status::ok;
};

struct Options {
  hostpath::PathMap map;                          // --map
  std::optional<hostpath::WindowsVolumeSet> volumes;  // --volumes
  // Where stored Windows parent paths are on this host, for a caller that already has its own
  // (the merge survey: the chain's ChainOptions, so branches are found as the chain was); empty:
  // map and volumes above decide.
  WindowsPathMapper map_windows_path{};
  bool deep = false;             // validate every BAT entry and sector bitmap (reads every block's map)
  size_t max_depth = 4096;       // stop following parents after this many layers (reported)

  // Seams for tests; empty means the real system. The opener is called from several threads at once
  // (files are opened in parallel), so it must be thread-safe.
  ImageOpener opener{};
  std::function<std::optional<uint64_t>(const std::string& path)> free_space{};  // of the volume holding path
  std::optional<hostpath::MountTable> mounts{};   // default: /proc/self/mountinfo (Linux)
};

// Checks the disks under `inputs` (files, and folders searched recursively for .vhd, .vhdx, .avhd,
// .avhdx). Never throws for a disk's own problems: they are findings.
Report run_check(std::span<const std::string> inputs, const Options& options = {});

// Status from findings: critical if any is critical; else unknown if any is inconclusive; else
// warning if any is a warning; else ok.
Status status_of(std::span<const Finding> findings);

}  // namespace vhdchain::check
