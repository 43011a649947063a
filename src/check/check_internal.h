// Pieces of run_check shared between its files (not public API).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vhdchain/check.h"

namespace vhdchain::check::detail {

// A finding of a catalogued code (severity, inconclusive and Hyper-V error filled in from it).
Finding make_finding(std::string_view code, std::string message, std::vector<std::string> paths,
                     std::vector<size_t> disks = {});

// scan.cc: the disk files under the inputs, sorted, each once; unreadable inputs as findings.
struct ScanResult {
  std::vector<std::string> files;
  std::vector<Finding> findings;
};
bool has_disk_extension(std::string_view file_name);  // .vhd .vhdx .avhd .avhdx, any case
ScanResult scan_inputs(std::span<const std::string> inputs);

// forest.cc: opens the scanned files, resolves parents (following them outside the scan), links
// disks to parents and children. Findings about single disks and parent links go to report.findings.
void build_forest(const std::vector<std::string>& files, const Options& options, Report& report);

// aliases.cc: mount-point and volume findings for every resolved parent link and scanned file.
void find_aliases(const Options& options, Report& report);

// chains.cc: cycles, one Chain per leaf, depth and branch findings.
void build_chains(const Options& options, Report& report);

// capacity.cc: growth, merge needs and free space per chain and per volume.
void measure_capacity(const Options& options, Report& report);

// kept_sources.cc: merge.kept_source for every disk a merge record beside a target names.
void find_kept_merge_sources(Report& report);

// "1.5 GiB" (for messages).
std::string human_bytes(uint64_t bytes);

}  // namespace vhdchain::check::detail

namespace vhdchain::check::detail {
// deep.cc: walks every disk's whole map (BAT entries, sector bitmaps); errors become disk.corrupt.
void validate_deeply(Report& report);
}  // namespace vhdchain::check::detail
