// The maps of a disk (BAT, sector bitmaps), read only while they are needed.
//
// Issue 14: the report kept every disk's image, and an image keeps what it has read: the BAT's
// non-zero pages and up to eight 1 MiB sector-bitmap blocks. Plain check touched one bitmap block
// per differencing disk (merge needs asked map() about partially present blocks), about 0.8 MB a
// disk, 8 GB for 10,000. Now the report's images hold headers and metadata only, and DiskMaps reads
// a map for as long as it is needed: a VHDX BAT straight from the kept image's file (no second
// open: opening checksums 136 KiB of headers and region tables), anything else through an image
// opened again and dropped. Memory is bounded by the work in flight, not by the number of disks.
#include <algorithm>
#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "check/check_internal.h"
#include "vhdx/image.h"
#include "vhdx/layout.h"

namespace vhdchain::check::detail {

DiskMaps::DiskMaps(const Disk& disk, const Options& options, bool exact) : exact_(exact) {
  const auto* vhdx = dynamic_cast<const vhdx::VhdxImage*>(disk.image.get());
  if (vhdx && !exact) {
    std::vector<Note> notes;  // v0.95 UNMAPPED states: `info` reports them, check has nothing to add
    vhdx_ = vhdx;
    bat_ = vhdx->read_bat(notes);
    return;
  }
  const std::string& path = disk.image->name();  // the file actually opened (after any case fallback)
  const ImageOpener& opener = options.opener ? options.opener : ImageOpener(open_host_image);
  OpenedImage opened = opener(path);
  if (!(opened.key == disk.key))
    throw Error(ErrorCode::io, fmt::format("{}: the file was replaced while it was being checked", path));
  reopened_ = std::move(opened.image);
}

DiskMaps::~DiskMaps() = default;

BlockStats DiskMaps::stats() const { return bat_ ? bat_->stats() : reopened_->block_stats(); }

bool DiskMaps::holds_data(uint64_t offset, uint64_t end) const {
  // VHDX without --deep: a fully or partially present block holds data. Hyper-V makes a block
  // partially present (MS-VHDX 2.5.1.1) only when it writes sectors of it, so no sector bitmap is
  // read; this can overcount only a block whose bitmap has no bit set, or a child block larger
  // than the range asked about: a merge need errs on the large side, never the small one.
  if (bat_) {
    const uint64_t block_size = vhdx_->layout().block_size;
    for (uint64_t block = offset / block_size; block * block_size < end; ++block) {
      const uint8_t state = bat_->payload(block).state;
      if (state == vhdx::kPayloadFullyPresent || state == vhdx::kPayloadPartiallyPresent) return true;
    }
    return false;
  }
  while (offset < end) {
    const Extent e = reopened_->map(offset, end - offset);
    if (e.source == ExtentSource::data) return true;
    offset += e.length;
  }
  return false;
}

void DiskMaps::walk() const {
  if (bat_) return;  // the BAT was validated whole when read; only exact maps have bitmaps to walk
  reopened_->block_stats();
  const uint64_t size = reopened_->info().virtual_size;
  for (uint64_t offset = 0; offset < size;) offset += reopened_->map(offset, size - offset).length;
}

void for_each_in_parallel(size_t count, const std::function<void(size_t)>& work) {
  const size_t workers = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), 8);
  if (workers < 2 || count < 2 * workers) {
    for (size_t i = 0; i < count; ++i) work(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (size_t w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      for (size_t i; (i = next++) < count;) work(i);
    });
  for (std::thread& t : pool) t.join();
}

}  // namespace vhdchain::check::detail
