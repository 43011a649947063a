// Pieces of run_check shared between its files (not public API).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vhdchain/check.h"

namespace vhdchain::vhdx {
class Bat;
class VhdxImage;
}  // namespace vhdchain::vhdx

namespace vhdchain::check::detail {

// A finding of a catalogued code (severity, inconclusive and Hyper-V error filled in from it).
Finding make_finding(std::string_view code, std::string message, std::vector<std::string> paths,
                     std::vector<size_t> disks = {});

// scan.cc: the disk files under the inputs, sorted, each once; unreadable inputs as findings.
struct ScanResult {
  std::vector<std::string> files;  // absolute, normalised
  std::map<std::string, std::string> given_as;  // file -> the path as given, where it differs
  std::vector<Finding> findings;
};
bool has_disk_extension(std::string_view file_name);  // .vhd .vhdx .avhd .avhdx, any case
ScanResult scan_inputs(std::span<const std::string> inputs);
// A file named like a disk that is none: empty, or no VHD/VHDX signature where either keeps one
// (issue 14: a zero-byte .vhdx was counted as a chain). False when it cannot be read.
bool is_stray_file(const std::string& path);

// policy.cc: input.no_disks when nothing was found (unless allowed), then the admin's rules.
void apply_policy(const Options& options, Report& report);

// forest.cc: opens the scanned files, resolves parents (following them outside the scan), links
// disks to parents and children. Findings about single disks and parent links go to report.findings.
void build_forest(const std::vector<std::string>& files, const Options& options, Report& report);

// aliases.cc: mount-point and volume findings for every resolved parent link and scanned file.
void find_aliases(const Options& options, Report& report);

// chains.cc: cycles, one Chain per leaf, depth and branch findings.
void build_chains(const Options& options, Report& report);

// capacity.cc: growth, merge needs and free space per chain and per volume.
void measure_capacity(const Options& options, Report& report);

// maps.cc: a disk's BAT (and with `exact` its sector bitmaps), read for as long as this object
// lives; the report's images keep headers and metadata only. Throws Error.
class DiskMaps {
 public:
  // exact: answer from the sector bitmaps too (--deep); otherwise a VHDX BAT is enough.
  DiskMaps(const Disk& disk, const Options& options, bool exact);
  ~DiskMaps();
  BlockStats stats() const;
  // True when the layer holds data of its own anywhere in [offset, end). Not exact: a VHDX block
  // counts as soon as it is fully or partially present (no sector bitmap is read).
  bool holds_data(uint64_t offset, uint64_t end) const;
  // Exact only: every BAT entry and sector bitmap, validated (throws FormatError at the first bad one).
  void walk() const;

 private:
  bool exact_;
  const vhdx::VhdxImage* vhdx_ = nullptr;
  std::unique_ptr<const vhdx::Bat> bat_;        // VHDX, not exact
  std::shared_ptr<const DiskImage> reopened_;   // otherwise: the file opened again for its maps
};
// work(0) .. work(count - 1) on up to 8 threads (in order on one when there are few).
void for_each_in_parallel(size_t count, const std::function<void(size_t)>& work);
// kept_sources.cc: merge.kept_source for every disk a merge record beside a target names.
void find_kept_merge_sources(Report& report);

// "1.5 GiB" (for messages).
std::string human_bytes(uint64_t bytes);

}  // namespace vhdchain::check::detail

namespace vhdchain::check::detail {
// deep.cc: walks every disk's whole map (BAT entries, sector bitmaps); errors become disk.corrupt.
void validate_deeply(const Options& options, Report& report);
}  // namespace vhdchain::check::detail
