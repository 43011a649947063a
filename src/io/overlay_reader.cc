#include "io/overlay_reader.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "vhdchain/error.h"

namespace vhdchain {

OverlayReader::OverlayReader(std::shared_ptr<const Reader> base) : base_(std::move(base)), size_(base_->size()) {}

void OverlayReader::extend_to(uint64_t new_size) { size_ = std::max(size_, new_size); }

void OverlayReader::write(uint64_t offset, std::span<const uint8_t> data) {
  if (data.empty()) return;
  auto copy = std::make_shared<const std::vector<uint8_t>>(data.begin(), data.end());
  insert(offset, Patch{data.size(), std::move(copy), 0});
}

void OverlayReader::write_zeros(uint64_t offset, uint64_t length) {
  if (length == 0) return;
  insert(offset, Patch{length, nullptr, 0});
}

// Cuts existing patches so that none overlaps [offset, offset+patch.length), then inserts it.
void OverlayReader::insert(uint64_t offset, Patch patch) {
  const uint64_t end = offset + patch.length;
  auto it = patches_.lower_bound(offset);
  if (it != patches_.begin()) {
    auto prev = std::prev(it);
    uint64_t prev_end = prev->first + prev->second.length;
    if (prev_end > offset) {
      // prev starts before us and overlaps: keep its head, and its tail if it extends past our end.
      if (prev_end > end) {
        Patch tail = prev->second;
        tail.data_offset += end - prev->first;
        tail.length = prev_end - end;
        patches_.emplace(end, tail);
      }
      prev->second.length = offset - prev->first;
    }
  }
  it = patches_.lower_bound(offset);
  while (it != patches_.end() && it->first < end) {
    uint64_t it_end = it->first + it->second.length;
    if (it_end > end) {
      Patch tail = it->second;
      tail.data_offset += end - it->first;
      tail.length = it_end - end;
      patches_.erase(it);
      patches_.emplace(end, tail);
      break;
    }
    it = patches_.erase(it);
  }
  patches_.emplace(offset, std::move(patch));
  size_ = std::max(size_, end);
}

void OverlayReader::read_base(uint64_t offset, std::span<uint8_t> out) const {
  const uint64_t base_size = base_->size();
  size_t from_base = 0;
  if (offset < base_size) from_base = static_cast<size_t>(std::min<uint64_t>(out.size(), base_size - offset));
  if (from_base) base_->read_at(offset, out.subspan(0, from_base));
  std::memset(out.data() + from_base, 0, out.size() - from_base);
}

void OverlayReader::read_at(uint64_t offset, std::span<uint8_t> out) const {
  if (offset > size_ || out.size() > size_ - offset)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: read of {} bytes @{:#x} is past the end of the file ({:#x} bytes)", name(),
                            out.size(), offset, size_));
  uint64_t pos = offset;
  const uint64_t end = offset + out.size();
  auto it = patches_.upper_bound(pos);
  if (it != patches_.begin()) --it;
  while (pos < end) {
    while (it != patches_.end() && it->first + it->second.length <= pos) ++it;
    uint8_t* dst = out.data() + (pos - offset);
    if (it == patches_.end() || it->first >= end) {
      read_base(pos, {dst, static_cast<size_t>(end - pos)});
      break;
    }
    if (it->first > pos) {
      read_base(pos, {dst, static_cast<size_t>(it->first - pos)});
      pos = it->first;
      continue;
    }
    const Patch& p = it->second;
    uint64_t n = std::min(end, it->first + p.length) - pos;
    if (p.data)
      std::memcpy(dst, p.data->data() + p.data_offset + (pos - it->first), n);
    else
      std::memset(dst, 0, n);
    pos += n;
  }
}

}  // namespace vhdchain
