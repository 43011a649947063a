// A differencing chain: finding each layer's parent, and reading the virtual disk through all layers.
//
// A differencing disk names its parent twice: by identity (VHDX parent_linkage = the parent's
// DataWriteGuid; VHD parent unique id = the parent's footer unique id) and by a handful of stored
// paths (VHDX locator keys; VHD platform locators and the header's parent name). Paths are only
// hints: they were written on a Windows host, often point to another drive or volume, and a copied
// chain lands in a different folder. So resolution turns every stored path into zero or more host
// paths (candidates), tries them in the order the format prescribes, and accepts the first file whose
// identity the child accepts. Every candidate keeps its outcome, so `check` can report stale locators
// and a failed open can say exactly where it looked.
//
// Two seams keep the policy testable and let the host-path resolver (hostpath/: path identity,
// volume mount points, --map) slot in later: an ImageOpener (how a host path becomes a DiskImage plus
// a file identity) and a WindowsPathMapper (how a Windows absolute or volume path becomes a host path).
//
// Reading a chain is ChainReader: a Reader over the leaf's virtual disk that falls through `parent`
// runs layer by layer and coalesces contiguous runs, plus next_extent() for callers that want to
// skip holes (sparse export).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"
#include "vhdchain/file_identity.h"
#include "vhdchain/reader.h"

namespace vhdchain {

class ChainReader;

struct OpenedImage {
  std::shared_ptr<const DiskImage> image{};
  FileIdentity key{};
};

// Opens a host path read-only as a disk image. Throws what open_image_file throws: IoError when the
// system refuses (errno tells not-found from access-denied), FormatError / Error otherwise.
using ImageOpener = std::function<OpenedImage(const std::string& path)>;

// The default opener: File::open(read_only) + open_image, keyed by fstat of the same handle.
OpenedImage open_host_image(const std::string& path);

// Turns a Windows absolute path ("C:\vms\a.vhdx", "\\server\share\a.vhdx") or a volume path
// ("\\?\Volume{guid}\vms\a.vhdx") stored in a locator into a host path; nullopt = no mapping.
using WindowsPathMapper = std::function<std::optional<std::string>(std::string_view stored)>;

enum class CandidateOutcome {
  not_tried,          // an earlier candidate was accepted (and probe_all_locators was off)
  ok,                 // accepted: this is the parent
  unresolvable,       // the stored value names no file on this host (volume path without a map,
                      // Windows path without a mapping, empty value)
  not_found,          // nothing at that path
  access_denied,      // something is there but may not be read
  io_error,           // another operating-system failure
  format_error,       // a file, but not a usable VHD/VHDX image
  identity_mismatch,  // an image, but not the one the child links to
  geometry_mismatch,  // the right identity, but virtual size or logical sector size differs
  loop,               // the file (or its identity) is already in the chain
};

// "ok", "not_found", ... (the enumerator's name; stable, for reports and JSON).
std::string_view to_string(CandidateOutcome outcome);

struct ParentCandidate {
  std::string locator{};      // where the path came from: a VHDX key ("relative_path"), a VHD platform
                              // code ("W2ru") or "parent_name" (the VHD header's parent unicode name)
  std::string stored{};       // the stored value, as stored
  bool beside_child = false;  // only the stored value's file name was used, in the child's folder
  std::string path{};         // host path probed; empty when the stored value names no host file
  CandidateOutcome outcome = CandidateOutcome::not_tried;
  std::string detail{};                  // the outcome in words: "not found", both GUIDs on a mismatch
  std::optional<Guid> found_identity{};  // the probed image's identity, when it could be opened
};

struct ParentResolution {
  std::vector<ParentCandidate> candidates{};  // in the order they were (or would have been) tried
  std::optional<size_t> accepted{};           // index into candidates

  const ParentCandidate* accepted_candidate() const {
    return accepted ? &candidates[*accepted] : nullptr;
  }
  // True when some candidate ended with this outcome.
  bool any(CandidateOutcome outcome) const {
    for (const ParentCandidate& c : candidates)
      if (c.outcome == outcome) return true;
    return false;
  }
};

struct ChainOptions {
  ImageOpener opener{};                  // empty: open_host_image
  WindowsPathMapper map_windows_path{};  // empty: Windows and volume paths are unresolvable
  size_t max_depth = 64;                 // layers, leaf included
  // Also probe the stored locators after the accepted one, so every locator has an outcome (check
  // reports stale and disagreeing ones); otherwise they stay not_tried.
  bool probe_all_locators = false;
};

// One opened layer. layers()[0] is the leaf; the last layer is the base (not differencing).
struct ChainLayer {
  std::string path{};  // the host path it was opened through
  std::shared_ptr<const DiskImage> image{};
  FileIdentity key{};
  ParentResolution parent{};  // how this layer's parent was found; empty for the base
};

// The candidate host paths for a differencing child's parent, in the order they are tried, not yet
// probed (outcome not_tried, or unresolvable when no host path could be derived). Duplicate host
// paths are listed once. Empty for a disk without a parent.
std::vector<ParentCandidate> parent_candidates(const std::string& child_path, const DiskImage& child,
                                               const WindowsPathMapper& map_windows_path = {});

struct ResolvedParent {
  ParentResolution resolution{};
  OpenedImage parent{};  // image is null when no candidate was accepted
};

// Finds the parent of chain.back() (the layers opened so far, leaf first): probes its candidates in
// order and accepts the first whose identity the child accepts, whose virtual size and logical sector
// size equal the child's, and that is not already in the chain (same FileIdentity, or same non-zero
// identity). A candidate's failure is recorded, never thrown.
ResolvedParent resolve_parent(const std::vector<ChainLayer>& chain, const ChainOptions& options = {});

// The error open_chain throws when resolution found no parent: the message names the child, its
// linkage and every candidate with its outcome, one per line. The code says what went wrong with the
// most telling candidate: parent_mismatch when an image had the wrong identity or geometry, format
// when a file was not a usable image or closed a loop, io when a file could not be read,
// parent_missing when nothing was found at all.
Error parent_resolution_error(const ChainLayer& child);
// The same message on one line, candidates separated by "; " (for reports with one line per finding).
std::string parent_resolution_summary(const ChainLayer& child);

class Chain {
 public:
  explicit Chain(std::vector<ChainLayer> layers);
  const std::vector<ChainLayer>& layers() const { return layers_; }
  const ChainLayer& leaf() const { return layers_.front(); }
  uint64_t virtual_size() const { return layers_.front().image->info().virtual_size; }
  // A reader over the leaf's virtual disk; it shares the images, so it may outlive the Chain.
  std::unique_ptr<ChainReader> reader() const;

 private:
  std::vector<ChainLayer> layers_;
};

// Opens leaf_path and walks its parents to the base. Throws the leaf's own open error unchanged,
// parent_resolution_error() when a parent is not found, Error(unsupported) past max_depth layers.
Chain open_chain(const std::string& leaf_path, const ChainOptions& options = {});

// A run of the chain's virtual disk as one layer holds it.
struct ChainRun {
  uint64_t virtual_offset = 0;
  uint64_t length = 0;
  bool zero = false;         // reads as zeros (no data in any layer)
  size_t layer = 0;          // data: index of the layer holding the bytes (0 = leaf)
  uint64_t file_offset = 0;  // data: where they start in that layer's data()
};

// A run of the chain's virtual disk that is either all data or all zeros.
struct ChainExtent {
  uint64_t virtual_offset = 0;
  uint64_t length = 0;
  bool zero = false;
};

class ChainReader final : public Reader {
 public:
  // layers[0] is the leaf, each next one its parent. All must have the same virtual size
  // (Error(invalid_argument) otherwise). The reader is named after the leaf.
  explicit ChainReader(std::vector<std::shared_ptr<const DiskImage>> layers);

  uint64_t size() const override { return size_; }
  // Walks the layers' maps; contiguous runs in one layer become one read of that layer's data().
  void read_at(uint64_t offset, std::span<uint8_t> out) const override;
  const std::string& name() const override { return layers_.front()->name(); }

  // The run at offset, resolved through the layers (one layer's data, or zeros), at most max_length
  // long. Zero runs are merged across layers and blocks; data runs while contiguous in one layer's file.
  ChainRun run_at(uint64_t offset, uint64_t max_length) const;
  // The data-or-zeros extent starting at offset, at most max_length long (data from several layers
  // merged). Both throw Error(invalid_argument) for an offset at or past size() or a max_length of 0.
  ChainExtent next_extent(uint64_t offset, uint64_t max_length = UINT64_MAX) const;

  const std::vector<std::shared_ptr<const DiskImage>>& layers() const { return layers_; }

 private:
  ChainRun resolve(uint64_t offset, uint64_t max_length) const;  // one map() step, not merged
  void check_range(uint64_t offset, uint64_t length) const;
  void check_start(uint64_t offset, uint64_t max_length) const;

  std::vector<std::shared_ptr<const DiskImage>> layers_;
  uint64_t size_ = 0;
};

}  // namespace vhdchain
