// Space: how far each chain can still grow, what merging it would need, and what the volume has.
//
// Seed 001: every VM paused because dynamic and differencing disks grew until the host volume was
// full. Growth is counted for the files that can still be written (leaves and standalone dynamic
// disks; a disk with children is read-only to Hyper-V): every block not yet allocated, at full size,
// plus the sector-bitmap space a differencing file adds. Summed per volume, it is compared with the
// volume's free space. A merge into a dynamic base allocates every base block that some upper layer
// holds data in and the base does not; that is read from the BATs only (and the sector bitmaps
// with --deep; see holds_data). BATs are read through images opened for it and dropped after
// (maps.cc), in parallel: the report keeps no map.
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
uint64_t growth_of(const ImageInfo& info, const DiskMaps& maps) {
  if (info.type == DiskType::fixed) return 0;
  BlockStats stats = maps.stats();
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

class CapacityMeter {
 public:
  CapacityMeter(const Options& options, Report& report) : options_(options), report_(report) {}

  // Every file that can still be written (no children) is the leaf of exactly one chain, so each
  // chain's maps are read once, for its leaf's growth and its merge need together, chains in parallel.
  void run() {
    std::vector<ChainMaps> maps(report_.chains.size());
    for_each_in_parallel(maps.size(), [&](size_t i) { maps[i] = read_maps(report_.chains[i]); });
    for (size_t i = 0; i < maps.size(); ++i) {
      if (maps[i].growth_failure) report_failure(*maps[i].growth_failure);
      const size_t leaf = report_.chains[i].layers.front();
      report_.disks[leaf].growth_bytes = maps[i].growth;
      if (maps[i].fixed_sparse) fixed_sparse_finding(leaf);
    }
    for (size_t i = 0; i < maps.size(); ++i) chain(report_.chains[i], maps[i].merge);
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
  // disk found corrupt more than once only once). An I/O error there: unreadable.
  struct Failure {
    size_t disk = 0;
    std::string message;
    bool io = false;
  };
  void report_failure(const Failure& f) {
    unknown_.insert(f.disk);
    report_.findings.push_back(
        make_finding(f.io ? "disk.unreadable" : "disk.corrupt", f.message, {report_.disks[f.disk].path}, {f.disk}));
  }
  struct MergeNeed {
    uint64_t bytes = 0;
    std::optional<Failure> failure;
  };
  struct ChainMaps {
    uint64_t growth = 0;  // of the leaf
    bool fixed_sparse = false;  // the leaf is a fixed disk whose growth is its unallocated bytes
    std::optional<Failure> growth_failure;
    std::optional<MergeNeed> merge;
  };

  ChainMaps read_maps(const Chain& c) const {
    ChainMaps out;
    const size_t leaf_index = c.layers.front();
    const Disk& leaf = report_.disks[leaf_index];
    std::unique_ptr<DiskMaps> leaf_maps;
    if (leaf.image && leaf.children.empty() && leaf.image->info().type == DiskType::fixed) {
      out.growth = unallocated_bytes(*leaf.image);
      out.fixed_sparse = out.growth > 0;
    } else if (leaf.image && leaf.children.empty()) {
      try {
        leaf_maps = std::make_unique<DiskMaps>(leaf, options_, options_.deep);
        out.growth = growth_of(leaf.image->info(), *leaf_maps);
      } catch (const Error& e) {
        out.growth_failure = failure(leaf_index, e);
        leaf_maps.reset();
      }
    }
    out.merge = merge_need(c, std::move(leaf_maps));
    return out;
  }
  void fixed_sparse_finding(size_t index) {
    const Disk& d = report_.disks[index];
    report_.findings.push_back(make_finding(
        "capacity.fixed_sparse",
        fmt::format("{}: a fixed disk, but {} of its {} file is not allocated on the volume: it takes that space "
                    "as the guest writes, so it counts as growth (a copy without holes, or "
                    "vhdchain convert --type fixed, allocates it)",
                    d.path, human_bytes(d.growth_bytes), human_bytes(d.image->info().file_size)),
        {d.path}, {index}));
  }
  static Failure failure(size_t disk, const Error& e) { return {disk, e.what(), e.code() == ErrorCode::io}; }

  void chain(Chain& c, const std::optional<MergeNeed>& need) {
    for (size_t layer : c.layers)
      if (const Disk& d = report_.disks[layer]; d.image) c.capacity.file_bytes += d.image->info().file_size;
    const Disk& leaf = report_.disks[c.layers.front()];
    c.capacity.growth_bytes = leaf.growth_bytes;
    c.capacity.free_bytes = free_bytes(c.layers.front());
    if (need) merge_finding(c, *need);
    for (size_t layer : c.layers)
      if (unknown_.count(layer)) c.capacity.known = false;
  }

  // New space in the base a merge of the whole chain needs; nullopt when a merge allocates nothing
  // (a single layer, an orphan, a fixed base). Reads the chain's BATs, nothing else is kept.
  // leaf_maps: the leaf's image already opened for its maps, if any.
  std::optional<MergeNeed> merge_need(const Chain& c, std::unique_ptr<DiskMaps> leaf_maps) const {
    if (!c.complete || c.layers.size() < 2) return std::nullopt;
    const size_t base_index = c.layers.back();
    const ImageInfo& bi = report_.disks[base_index].image->info();
    if (bi.type == DiskType::fixed) return std::nullopt;  // every block already has its place
    const uint64_t block = bi.block_size;
    const uint64_t per_block = block + (bi.format == DiskFormat::vhd ? vhd_bitmap_bytes(bi.block_size) : 0);
    MergeNeed need;
    size_t layer_at = base_index;
    try {
      std::vector<std::unique_ptr<DiskMaps>> layers;
      for (size_t layer : c.layers) {
        layer_at = layer;
        layers.push_back(layers.empty() && leaf_maps ? std::move(leaf_maps)
                                                     : std::make_unique<DiskMaps>(report_.disks[layer], options_, options_.deep));
      }
      const DiskMaps& base = *layers.back();
      for (uint64_t off = 0; off < bi.virtual_size; off += block) {
        const uint64_t end = std::min(bi.virtual_size, off + block);
        layer_at = base_index;
        if (base.holds_data(off, end)) continue;
        for (size_t i = 0; i + 1 < c.layers.size(); ++i) {
          layer_at = c.layers[i];
          if (layers[i]->holds_data(off, end)) {
            need.bytes += per_block;
            break;
          }
        }
      }
    } catch (const Error& e) {
      need.failure = failure(layer_at, e);
    }
    return need;
  }

  void merge_finding(Chain& c, const MergeNeed& need) {
    if (need.failure) {
      report_failure(*need.failure);
      c.capacity.known = false;
      return;
    }
    const size_t base_index = c.layers.back();
    c.capacity.merge_bytes = need.bytes;
    std::optional<uint64_t> free = free_bytes(base_index);
    if (free && need.bytes > *free)
      report_.findings.push_back(make_finding(
          "capacity.merge_exceeds_free",
          fmt::format("{}: merging its chain into {} needs {} of new space there, but that volume has {} free",
                      report_.disks[c.layers.front()].path, report_.disks[base_index].path, human_bytes(need.bytes),
                      human_bytes(*free)),
          {report_.disks[c.layers.front()].path, report_.disks[base_index].path}, c.layers));
  }

  // Every volume holding a disk, its growth against its free space, graded by the policy.
  void volumes() {
    std::map<uint64_t, std::vector<size_t>> by_volume;
    for (size_t i = 0; i < report_.disks.size(); ++i)
      if (report_.disks[i].image) by_volume[report_.disks[i].key.volume_id].push_back(i);
    for (const auto& [id, disks] : by_volume) {
      Volume v;
      v.id = id;
      v.path = report_.disks[disks.front()].path;
      v.disks = disks.size();
      std::vector<size_t> writable;
      for (size_t i : disks) {
        const Disk& d = report_.disks[i];
        v.file_bytes += d.image->info().file_size;
        if (d.growth_bytes == 0) continue;
        writable.push_back(i);
        v.growth_bytes += d.growth_bytes;
        if (d.image->info().type == DiskType::differencing) v.checkpoint_growth_bytes += d.growth_bytes;
      }
      v.writable_disks = writable.size();
      v.free_bytes = free_bytes(disks.front());
      if (v.free_bytes) {
        overcommit_finding(v, writable);
        low_free_finding(v, disks);
      }
      report_.volumes.push_back(std::move(v));
    }
  }

  static std::string percent(double p) { return fmt::format("{:g}%", p); }

  // The strictest threshold the volume passes: critical overcommit, warning overcommit, then the
  // default one for checkpoints alone.
  void overcommit_finding(const Volume& v, const std::vector<size_t>& writable) {
    const Policy& p = options_.policy;
    const double free = double(*v.free_bytes);
    auto over = [&](uint64_t growth, const std::optional<double>& pct) {
      return pct && growth > 0 && double(growth) > free * *pct / 100.0;
    };
    Severity severity;
    std::string rule, what;
    if (over(v.growth_bytes, p.overcommit_critical_percent)) {
      severity = Severity::critical;
      rule = "critical overcommit=" + percent(*p.overcommit_critical_percent);
    } else if (over(v.growth_bytes, p.overcommit_warning_percent)) {
      severity = Severity::warning;
      rule = "warning overcommit=" + percent(*p.overcommit_warning_percent);
    } else if (over(v.checkpoint_growth_bytes, p.checkpoint_growth_warning_percent)) {
      severity = Severity::warning;
      rule = "warning checkpoint-growth=" + percent(*p.checkpoint_growth_warning_percent);
    } else {
      return;
    }
    std::vector<std::string> paths;
    for (size_t i : writable) paths.push_back(report_.disks[i].path);
    Finding f = make_finding(
        "capacity.volume_overcommitted",
        fmt::format("the {} writable disk{} on the volume holding {} can grow by {} in all ({} of it checkpoints), "
                    "but it has {} free: when it fills, Hyper-V pauses every VM writing there (event 16060)",
                    writable.size(), writable.size() == 1 ? "" : "s", v.path, human_bytes(v.growth_bytes),
                    human_bytes(v.checkpoint_growth_bytes), human_bytes(*v.free_bytes)),
        std::move(paths), writable);
    f.severity = severity;
    f.policy = "threshold: " + rule;
    report_.findings.push_back(std::move(f));
  }

  void low_free_finding(const Volume& v, const std::vector<size_t>& disks) {
    const Policy& p = options_.policy;
    Severity severity;
    uint64_t limit;
    if (p.free_critical_bytes && *v.free_bytes < *p.free_critical_bytes) {
      severity = Severity::critical;
      limit = *p.free_critical_bytes;
    } else if (p.free_warning_bytes && *v.free_bytes < *p.free_warning_bytes) {
      severity = Severity::warning;
      limit = *p.free_warning_bytes;
    } else {
      return;
    }
    Finding f = make_finding("capacity.low_free_space",
                             fmt::format("the volume holding {} has {} free, less than the {} threshold of {}", v.path,
                                         human_bytes(*v.free_bytes), to_string(severity), human_bytes(limit)),
                             {v.path}, disks);
    f.severity = severity;
    f.policy = fmt::format("threshold: {} free={}", to_string(severity), limit);
    report_.findings.push_back(std::move(f));
  }

  const Options& options_;
  Report& report_;
  std::map<std::string, std::optional<uint64_t>> free_;
  std::set<size_t> unknown_;
};

}  // namespace

void measure_capacity(const Options& options, Report& report) { CapacityMeter(options, report).run(); }

}  // namespace vhdchain::check::detail
