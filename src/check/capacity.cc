// Space: how far each chain can still grow, what merging it would need, and what the volume has.
//
// Seed 001: every VM paused because dynamic and differencing disks grew until the host volume was
// full. Growth is counted for the files that can still be written (leaves and standalone dynamic
// disks; a disk with children is read-only to Hyper-V): every block not yet allocated, at full size,
// plus the sector-bitmap space a differencing file adds. Summed per volume, it is compared with the
// volume's free space. A merge into a dynamic base allocates every base block that some upper layer
// holds data in and the base does not; that is read from the BATs and sector bitmaps only.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "check/check_internal.h"
#include "io/free_space.h"
#include "vhdchain/file.h"

namespace vhdchain::check::detail {
namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kVhdxChunkBitmapBlock = kMiB;  // one sector bitmap block per chunk (MS-VHDX 2.5)

uint64_t count(const std::map<std::string, uint64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

uint64_t vhd_bitmap_bytes(uint32_t block_size) {
  uint64_t bytes = (uint64_t(block_size) / 512 + 7) / 8;
  return (bytes + 511) / 512 * 512;
}

// A fixed disk's file bytes the volume has not allocated (a sparse copy, or one made by a tool that
// leaves the payload a hole): they are allocated as the guest writes, so they are growth. 0 when
// the file is seen through a replayed log rather than as a host file.
uint64_t unallocated_bytes(const DiskImage& image) {
  const auto* file = dynamic_cast<const File*>(&image.data());
  if (!file) return 0;
  const uint64_t allocated = file->allocated_bytes();
  return allocated >= file->size() ? 0 : file->size() - allocated;
}

// The bytes a file still grows by if every unallocated block is written.
uint64_t growth_of(const DiskImage& image) {
  const ImageInfo& info = image.info();
  if (info.type == DiskType::fixed) return unallocated_bytes(image);
  BlockStats stats = image.block_stats();
  uint64_t total = 0;
  for (const auto& [state, n] : stats.payload) total += n;
  if (info.format == DiskFormat::vhd) {
    uint64_t missing = total - count(stats.payload, "allocated");
    return missing * (info.block_size + vhd_bitmap_bytes(info.block_size));
  }
  uint64_t allocated = count(stats.payload, "fully_present") + count(stats.payload, "partially_present");
  uint64_t growth = (total - allocated) * info.block_size;
  if (info.type == DiskType::differencing) growth += count(stats.sector_bitmap, "not_present") * kVhdxChunkBitmapBlock;
  return growth;
}

// True when the layer holds data of its own anywhere in [offset, end).
bool holds_data(const DiskImage& image, uint64_t offset, uint64_t end) {
  while (offset < end) {
    Extent e = image.map(offset, end - offset);
    if (e.source == ExtentSource::data) return true;
    offset += e.length;
  }
  return false;
}

class CapacityMeter {
 public:
  CapacityMeter(const Options& options, Report& report) : options_(options), report_(report) {}

  void run() {
    for (size_t i = 0; i < report_.disks.size(); ++i) disk_growth(i);
    for (Chain& c : report_.chains) chain(c);
    volumes();
  }

 private:
  // Free space of the volume holding a disk: asked once per volume (device), not once per file.
  std::optional<uint64_t> free_bytes(size_t index) {
    const Disk& d = report_.disks[index];
    const std::string key = d.key.volume_id ? "dev:" + std::to_string(d.key.volume_id) : "path:" + d.path;
    auto it = free_.find(key);
    if (it != free_.end()) return it->second;
    std::optional<uint64_t> v = options_.free_space ? options_.free_space(d.path) : io::volume_free_bytes(d.path);
    free_.emplace(key, v);
    return v;
  }

  // A structural error met while reading a BAT or bitmap: the disk is corrupt (run_check reports a
  // disk found corrupt more than once only once).
  void corrupt(size_t index, const Error& e) {
    unknown_.insert(index);
    report_.findings.push_back(make_finding("disk.corrupt", e.what(), {report_.disks[index].path}, {index}));
  }

  void disk_growth(size_t index) {
    Disk& d = report_.disks[index];
    if (!d.image || !d.children.empty()) return;
    try {
      d.growth_bytes = growth_of(*d.image);
      if (d.growth_bytes > 0 && d.image->info().type == DiskType::fixed)
        report_.findings.push_back(make_finding(
            "capacity.fixed_sparse",
            fmt::format("{}: a fixed disk, but {} of its {} file is not allocated on the volume: it takes that space "
                        "as the guest writes, so it counts as growth (a copy without holes, or "
                        "vhdchain convert --type fixed, allocates it)",
                        d.path, human_bytes(d.growth_bytes), human_bytes(d.image->info().file_size)),
            {d.path}, {index}));
    } catch (const Error& e) {
      corrupt(index, e);
    }
  }

  void chain(Chain& c) {
    for (size_t layer : c.layers)
      if (const Disk& d = report_.disks[layer]; d.image) c.capacity.file_bytes += d.image->info().file_size;
    const Disk& leaf = report_.disks[c.layers.front()];
    c.capacity.growth_bytes = leaf.growth_bytes;
    c.capacity.free_bytes = free_bytes(c.layers.front());
    if (c.complete && c.layers.size() > 1) merge_needs(c);
    for (size_t layer : c.layers)
      if (unknown_.count(layer)) c.capacity.known = false;
  }

  void merge_needs(Chain& c) {
    const size_t base_index = c.layers.back();
    const DiskImage& base = *report_.disks[base_index].image;
    const ImageInfo& bi = base.info();
    if (bi.type == DiskType::fixed) return;  // every block already has its place
    const uint64_t block = bi.block_size;
    const uint64_t per_block = block + (bi.format == DiskFormat::vhd ? vhd_bitmap_bytes(bi.block_size) : 0);
    uint64_t needed = 0;
    size_t layer_at = base_index;
    try {
      for (uint64_t off = 0; off < bi.virtual_size; off += block) {
        const uint64_t end = std::min(bi.virtual_size, off + block);
        layer_at = base_index;
        if (holds_data(base, off, end)) continue;
        for (size_t i = 0; i + 1 < c.layers.size(); ++i) {
          layer_at = c.layers[i];
          if (holds_data(*report_.disks[layer_at].image, off, end)) {
            needed += per_block;
            break;
          }
        }
      }
    } catch (const Error& e) {
      corrupt(layer_at, e);
      c.capacity.known = false;
      return;
    }
    c.capacity.merge_bytes = needed;
    std::optional<uint64_t> free = free_bytes(base_index);
    if (free && needed > *free)
      report_.findings.push_back(make_finding(
          "capacity.merge_exceeds_free",
          fmt::format("{}: merging its chain into {} needs {} of new space there, but that volume has {} free",
                      report_.disks[c.layers.front()].path, report_.disks[base_index].path, human_bytes(needed),
                      human_bytes(*free)),
          {report_.disks[c.layers.front()].path, report_.disks[base_index].path}, c.layers));
  }

  // Growth of all writable files on one volume against its free space.
  void volumes() {
    std::map<uint64_t, std::vector<size_t>> by_volume;
    for (size_t i = 0; i < report_.disks.size(); ++i)
      if (report_.disks[i].growth_bytes > 0) by_volume[report_.disks[i].key.volume_id].push_back(i);
    for (const auto& [volume, disks] : by_volume) {
      uint64_t growth = 0;
      std::vector<std::string> paths;
      for (size_t i : disks) {
        growth += report_.disks[i].growth_bytes;
        paths.push_back(report_.disks[i].path);
      }
      std::optional<uint64_t> free = free_bytes(disks.front());
      if (!free || growth <= *free) continue;
      report_.findings.push_back(make_finding(
          "capacity.volume_overcommitted",
          fmt::format("the {} writable disk{} on the volume holding {} can grow by {} in all, but it has {} free: "
                      "when it fills, Hyper-V pauses every VM writing there (event 16060)",
                      disks.size(), disks.size() == 1 ? "" : "s", report_.disks[disks.front()].path,
                      human_bytes(growth), human_bytes(*free)),
          std::move(paths), disks));
    }
  }

  const Options& options_;
  Report& report_;
  std::map<std::string, std::optional<uint64_t>> free_;
  std::set<size_t> unknown_;
};

}  // namespace

void measure_capacity(const Options& options, Report& report) { CapacityMeter(options, report).run(); }

}  // namespace vhdchain::check::detail
