// What convert reads: the virtual disk of a chain's leaf (every layer read-only), or a raw image,
// as runs saying where each range's bytes are (a layer's file and offset, or zeros).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "merge/merge_coverage.h"
#include "vhdchain/chain.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/file.h"

namespace vhdchain::convert {

class ConvertSource {
 public:
  // A VHDX or VHD opens as its chain (open_chain: parents found and matched); any other file as a
  // raw image, unless it starts like a disk image (a damaged VHDX or VHD is refused, never read
  // raw). Everything is opened read-only.
  static ConvertSource open(const std::string& path, const ChainOptions& options);

  std::optional<DiskFormat> format() const { return format_; }  // nullopt: raw
  const std::vector<std::string>& layer_paths() const { return paths_; }
  uint64_t virtual_size() const { return virtual_size_; }
  // The leaf's info; nullptr for a raw image.
  const ImageInfo* leaf_info() const { return images_.empty() ? nullptr : &images_.front()->info(); }

  // The runs of [offset, offset + length) in order (write::covered_runs over the layers; a raw
  // image is one run of its own bytes). A run's source indexes reader() and host_file().
  std::vector<write::CoveredRun> runs(uint64_t offset, uint64_t length) const;
  const Reader& reader(int source) const;
  // The layer as a host file, for a clone or kernel copy; nullptr when it is read through a log
  // replayed in memory.
  const File* host_file(int source) const;

 private:
  std::optional<DiskFormat> format_;
  std::vector<std::string> paths_;
  uint64_t virtual_size_ = 0;
  std::vector<std::shared_ptr<const DiskImage>> images_;  // leaf first; empty for raw
  std::vector<const DiskImage*> image_ptrs_;
  std::shared_ptr<File> raw_;
};

}  // namespace vhdchain::convert
