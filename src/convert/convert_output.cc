// The three destinations of convert: VHDX, VHD (each fixed or dynamic) and raw.
#include "convert/convert_output.h"

#include <algorithm>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "base/byte_store.h"
#include "io/fs_ops.h"
#include "io/preallocate.h"
#include "vhd/image.h"
#include "vhd/layout.h"
#include "vhdchain/error.h"
#include "vhdchain/write.h"
#include "vhdx/image.h"
#include "vhdx/layout.h"
#include "write/new_file.h"
#include "write/volume_space.h"

namespace vhdchain::convert {
namespace {

uint64_t round_up(uint64_t value, uint64_t unit) { return (value + unit - 1) / unit * unit; }

// BAT entries set while copying, written at the end: runs of consecutive entries in one write each.
template <size_t EntryBytes>
class PendingBat {
 public:
  void set(uint64_t index, uint64_t value) { entries_[index] = value; }
  template <typename Store>
  void write(File& file, uint64_t bat_offset, Store store) const {
    std::vector<uint8_t> run;
    uint64_t first = 0, next = 0;
    auto flush = [&] {
      if (!run.empty()) file.write_at(bat_offset + first * EntryBytes, run);
      run.clear();
    };
    for (const auto& [index, value] : entries_) {
      if (run.empty() || index != next || run.size() >= (uint64_t{1} << 20)) {
        flush();
        first = index;
      }
      run.resize(run.size() + EntryBytes);
      store(std::span<uint8_t>(run), run.size() - EntryBytes, value);
      next = index + 1;
    }
    flush();
  }

 private:
  std::map<uint64_t, uint64_t> entries_;
};

CreateOptions create_options_of(const ConvertPlan& plan) {
  CreateOptions o;
  o.format = plan.to == ConvertFormat::vhd ? DiskFormat::vhd : DiskFormat::vhdx;
  o.type = plan.type;
  o.virtual_size = plan.virtual_size;
  o.block_size = plan.type == DiskType::fixed && plan.to == ConvertFormat::vhd ? 0 : plan.block_size;
  o.logical_sector_size = plan.logical_sector_size;
  o.physical_sector_size = plan.physical_sector_size;
  return o;
}

// VHDX: blocks FULLY_PRESENT, appended 1 MiB aligned (MS-VHDX 2.5: payload blocks at 1 MiB
// multiples); a fixed disk's blocks are where create put them, contiguous after the BAT.
class VhdxOutput final : public ConvertOutput {
 public:
  explicit VhdxOutput(const ConvertPlan& plan) : ConvertOutput(plan) {
    const std::unique_ptr<DiskImage> image = open_image_file(partial_);
    const auto& vhdx = dynamic_cast<const vhdx::VhdxImage&>(*image);
    layout_ = vhdx.layout();
    bat_offset_ = vhdx.bat_region().file_offset;
    if (!dynamic()) first_block_ = vhdx.map(0, 1).file_offset;
    next_free_ = round_up(file_->size(), vhdx::kRegionAlignment);
  }

  uint64_t place(uint64_t u) override {
    if (!dynamic()) return first_block_ + u * layout_.block_size;
    const uint64_t at = next_free_;
    next_free_ += layout_.block_size;
    bat_.set(layout_.payload_index(u), at | vhdx::kPayloadFullyPresent);
    return at;
  }

 private:
  void finish() override {
    if (!dynamic()) return;
    if (file_->size() < next_free_) file_->resize(next_free_);  // a last block only partly written
    bat_.write(*file_, bat_offset_, [](std::span<uint8_t> b, size_t o, uint64_t v) { store_le64(b, o, v); });
  }

  vhdx::BatLayout layout_;
  uint64_t bat_offset_ = 0, first_block_ = 0, next_free_ = 0;
  PendingBat<8> bat_;
};

// VHD: a dynamic block is its sector bitmap (every sector present: 0xFF) then its data, appended
// where the footer was; the footer moves to the new end (VHD spec, "Block Allocation Table").
class VhdOutput final : public ConvertOutput {
 public:
  explicit VhdOutput(const ConvertPlan& plan) : ConvertOutput(plan) {
    if (!dynamic()) return;
    const std::unique_ptr<DiskImage> image = open_image_file(partial_);
    const auto& vhd = dynamic_cast<const vhd::Image&>(*image);
    bat_offset_ = vhd.dynamic_header()->table_offset;
    bitmap_.assign(vhd.block_layout().bitmap_size, 0xFF);
    footer_.resize(vhd::kFooterSize);
    next_free_ = file_->size() - vhd::kFooterSize;
    file_->read_at(next_free_, footer_);
  }

  uint64_t place(uint64_t u) override {
    if (!dynamic()) return u * unit();
    const uint64_t at = next_free_;
    file_->write_at(at, bitmap_);
    next_free_ += bitmap_.size() + unit();
    bat_.set(u, at / vhd::kSectorSize);
    return at + bitmap_.size();
  }

 private:
  void finish() override {
    if (!dynamic()) return;
    bat_.write(*file_, bat_offset_, [](std::span<uint8_t> b, size_t o, uint64_t v) {
      store_be32(b, o, static_cast<uint32_t>(v));
    });
    file_->write_at(next_free_, footer_);  // also the file's new end
  }

  uint64_t bat_offset_ = 0, next_free_ = 0;
  std::vector<uint8_t> bitmap_, footer_;
  PendingBat<4> bat_;
};

// Raw: the virtual disk byte for byte; dynamic: a sparse file.
class RawOutput final : public ConvertOutput {
 public:
  explicit RawOutput(const ConvertPlan& plan) : ConvertOutput(plan) {}
  uint64_t place(uint64_t u) override { return u * unit(); }

 private:
  void finish() override {}
};

}  // namespace

ConvertOutput::ConvertOutput(const ConvertPlan& plan)
    : plan_(plan),
      partial_(write::NewFile::partial_path_for(plan.destination)),
      unit_(unit_of(plan)),
      dynamic_(plan.type == DiskType::dynamic) {
  if (io::path_exists(plan.destination))
    throw Error(ErrorCode::invalid_argument, plan.destination + ": exists; convert never replaces a file");
  // A stale partial file, and the one create_disk builds the partial file under.
  io::remove_file(partial_);
  io::remove_file(write::NewFile::partial_path_for(partial_));
  try {
    if (plan.to == ConvertFormat::raw) {
      if (!dynamic_) write::require_volume_space(partial_, plan.virtual_size, "a fixed raw image");
      file_ = File::open(partial_, OpenMode::create_new);
      file_->resize(plan.virtual_size);
      if (!dynamic_) io::preallocate(*file_, plan.virtual_size);
    } else {
      create_disk(partial_, create_options_of(plan));
      file_ = File::open(partial_, OpenMode::read_write);
    }
  } catch (...) {
    file_.reset();  // this constructor failed: no destructor removes what it made
    io::remove_file(partial_);
    throw;
  }
}

ConvertOutput::~ConvertOutput() {
  if (published_) return;
  file_.reset();
  try {
    io::remove_file(partial_);
  } catch (...) {
    // Left for the next convert of this name to remove.
  }
}

std::unique_ptr<ConvertOutput> ConvertOutput::create(const ConvertPlan& plan) {
  switch (plan.to) {
    case ConvertFormat::vhdx: return std::make_unique<VhdxOutput>(plan);
    case ConvertFormat::vhd: return std::make_unique<VhdOutput>(plan);
    case ConvertFormat::raw: return std::make_unique<RawOutput>(plan);
  }
  throw Error(ErrorCode::invalid_argument, "unknown convert format");
}

uint64_t ConvertOutput::publish() {
  finish();
  file_->flush();
  const uint64_t size = file_->size();
  file_.reset();  // Windows cannot rename an open file
  io::rename_no_replace(partial_, plan_.destination);
  published_ = true;
  return size;
}

}  // namespace vhdchain::convert
