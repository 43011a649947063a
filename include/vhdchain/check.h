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
#include "vhdchain/error.h"
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
  // Why the severity is not the catalogue's: "" (it is), "threshold: warning overcommit=120%",
  // "rule: --severity tree.branches:warning", "rule: policy.conf:3". See Policy.
  std::string policy;
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
  std::string path;            // the path it was first found or reached through (absolute, normalised)
  std::string given_path;      // the path as given on the command line, when it differs from path
  std::vector<std::string> other_paths;  // the same file reached through other paths
  std::vector<std::string> scanned_as;   // every path the scan found it through (two: mounted twice)
  bool scanned = false;        // found under the given PATHs (else only reached as a parent)
  FileIdentity key{};
  std::shared_ptr<const DiskImage> image{};  // null when it could not be opened
  std::string error;           // why it could not be opened (message names file, structure, offset)
  ErrorCode error_code = ErrorCode::io;  // its kind, when error is set
  std::optional<uint64_t> allocated_bytes;  // bytes the file occupies on its volume (sparse files: less than its size)
  std::optional<int64_t> mtime;             // last modification, seconds since 1970-01-01 UTC
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

// A severity rule of the admin's policy: findings of `code` ("*": any) about a path matching
// `path_glob` (fnmatch, "*" crossing "/"; empty: any path; a finding matches when any of its paths
// does) get `severity`, or are dropped when it is nullopt (ignored). The last matching rule wins.
struct SeverityRule {
  std::string code;
  std::string path_glob;
  std::optional<Severity> severity;
  std::string origin;  // where it was given: "--ignore capacity.volume_overcommitted", "policy.conf:3"
};

// What is worth waking someone for (docs/check.md, "Policy"); monitoring-plugin style thresholds.
// The defaults keep a healthy host quiet: most hosts are overcommitted by design with ordinary
// dynamic disks, so only growth of checkpoints (differencing leaves: seeds 001, 004) that can pass
// the free space is a warning by default.
struct Policy {
  // capacity.volume_overcommitted when a volume's checkpoint growth exceeds this percentage of its
  // free space (warning), nullopt: never.
  std::optional<double> checkpoint_growth_warning_percent = 100.0;
  // ... when the growth of all its writable disks exceeds this percentage of its free space.
  std::optional<double> overcommit_warning_percent;
  std::optional<double> overcommit_critical_percent;
  // capacity.low_free_space when a volume holding disks has less free than this.
  std::optional<uint64_t> free_warning_bytes;
  std::optional<uint64_t> free_critical_bytes;
  std::vector<SeverityRule> rules;
  bool allow_empty = false;  // finding no disk at all is OK rather than UNKNOWN (scan.no_disks)
};

// One volume that holds disks: what its writable files can grow by, against its free space.
struct Volume {
  uint64_t id = 0;                  // FileKey::volume of its disks (st_dev on POSIX)
  std::string path;                 // a disk on it (the first), to name it in messages
  size_t disks = 0;                 // disks on it
  size_t writable_disks = 0;        // leaves and standalone dynamic disks that can still grow
  uint64_t file_bytes = 0;          // sum of its disks' file sizes
  uint64_t growth_bytes = 0;        // how much its writable disks can grow in all
  uint64_t checkpoint_growth_bytes = 0;  // of that, the differencing leaves (checkpoints, backups)
  std::optional<uint64_t> free_bytes;
};

struct Report {
  std::vector<Disk> disks;
  std::vector<Chain> chains;   // one per leaf (a disk no other disk links to), sorted by leaf path
  std::vector<Finding> findings;
  std::vector<Volume> volumes;  // by id
  std::vector<std::string> strays;  // files with a disk's name that are no disk (empty, no signature)
  size_t ignored = 0;           // findings dropped by an ignore rule (counted, never shown)
  Policy policy;                // the policy applied (Options::policy)
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
  Policy policy;

  // Seams for tests; empty means the real system. The opener is called from several threads at once
  // (files are opened in parallel), so it must be thread-safe.
  ImageOpener opener{};
  std::function<std::optional<uint64_t>(const std::string& path)> free_space{};  // of the volume holding path
  std::optional<hostpath::MountTable> mounts{};   // default: /proc/self/mountinfo (Linux)
};

// Checks the disks under `inputs` (files, and folders searched recursively for .vhd, .vhdx, .avhd,
// .avhdx). Never throws for a disk's own problems: they are findings.
Report run_check(std::span<const std::string> inputs, const Options& options = {});

// Applies policy.rules to the findings (severity changed, or dropped and counted in report.ignored).
void apply_rules(const Policy& policy, Report& report);

// Status from findings: critical if any is critical; else unknown if any is inconclusive; else
// warning if any is a warning; else ok.
Status status_of(std::span<const Finding> findings);

}  // namespace vhdchain::check
