// A Reader that shows a base Reader with patches applied in memory.
//
// This is how a read-only open honours a pending VHDX log (MS-VHDX 2.3.3, footnote 5): the log's
// data and zero descriptors are applied to an OverlayReader instead of to the file, and every later
// parse and payload read goes through the overlay. The file itself is never written.
//
// Patches are kept as non-overlapping intervals; a later patch replaces whatever earlier patches or
// base bytes it covers. The overlay may also be longer than the base (replay extends the file to
// the log's LastFileOffset): bytes past the base's end read as zeros unless patched.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "vhdchain/reader.h"

namespace vhdchain {

class OverlayReader final : public Reader {
 public:
  explicit OverlayReader(std::shared_ptr<const Reader> base);

  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override;
  const std::string& name() const override { return base_->name(); }

  // Replaces [offset, offset+data.size()) with data. Extends size() if needed.
  void write(uint64_t offset, std::span<const uint8_t> data);
  // Replaces [offset, offset+length) with zeros without storing them. Extends size() if needed.
  void write_zeros(uint64_t offset, uint64_t length);
  // Makes size() at least new_size (zeros beyond the base).
  void extend_to(uint64_t new_size);

  bool has_patches() const { return !patches_.empty(); }
  // Every patch in offset order: data is the patch's bytes, or null for zeros. The writers use this
  // to apply an in-memory replay to the file itself (repair --replay-log).
  template <typename Fn>  // void(uint64_t offset, uint64_t length, const uint8_t* data_or_null)
  void for_each_patch(Fn&& fn) const {
    for (const auto& [offset, p] : patches_)
      fn(offset, p.length, p.data ? p.data->data() + p.data_offset : nullptr);
  }
  size_t patch_count() const { return patches_.size(); }

 private:
  struct Patch {
    uint64_t length = 0;
    std::shared_ptr<const std::vector<uint8_t>> data;  // null: zeros
    uint64_t data_offset = 0;                          // where this patch starts inside *data
  };
  void insert(uint64_t offset, Patch patch);
  void read_base(uint64_t offset, std::span<uint8_t> out) const;

  std::shared_ptr<const Reader> base_;
  std::map<uint64_t, Patch> patches_;  // key: start offset
  uint64_t size_;
};

}  // namespace vhdchain
