// SparseFile: page map plus hole-preserving file output (see sparse_file.h).
#include "support/sparse_file.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace vhdchain::test {
namespace {

bool all_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

void SparseFile::resize(uint64_t new_size) {
  if (new_size < size_) {
    pages_.erase(pages_.lower_bound((new_size + kPageSize - 1) / kPageSize), pages_.end());
    // Zero the tail of a page that now straddles the end, so growing again reads zeros.
    if (new_size % kPageSize != 0) {
      auto it = pages_.find(new_size / kPageSize);
      if (it != pages_.end()) std::fill(it->second.begin() + new_size % kPageSize, it->second.end(), 0);
    }
  }
  size_ = new_size;
}

void SparseFile::write(uint64_t offset, std::span<const uint8_t> bytes) {
  uint64_t pos = offset;
  size_t done = 0;
  while (done < bytes.size()) {
    uint64_t page = pos / kPageSize;
    size_t in_page = pos % kPageSize;
    size_t n = std::min<size_t>(bytes.size() - done, kPageSize - in_page);
    auto it = pages_.find(page);
    if (it == pages_.end()) {
      if (all_zero(bytes.subspan(done, n))) {  // keep holes for zero writes into holes
        pos += n;
        done += n;
        continue;
      }
      it = pages_.emplace(page, std::vector<uint8_t>(kPageSize, 0)).first;
    }
    std::memcpy(it->second.data() + in_page, bytes.data() + done, n);
    pos += n;
    done += n;
  }
  size_ = std::max(size_, offset + bytes.size());
}

void SparseFile::zero(uint64_t offset, uint64_t length) {
  uint64_t pos = offset;
  const uint64_t end = offset + length;
  while (pos < end) {
    uint64_t page = pos / kPageSize;
    size_t in_page = pos % kPageSize;
    size_t n = static_cast<size_t>(std::min<uint64_t>(end - pos, kPageSize - in_page));
    auto it = pages_.find(page);
    if (it != pages_.end()) {
      if (n == kPageSize)
        pages_.erase(it);
      else
        std::fill_n(it->second.begin() + in_page, n, 0);
    }
    pos += n;
  }
  size_ = std::max(size_, end);
}

void SparseFile::read(uint64_t offset, std::span<uint8_t> out) const {
  if (offset > size_ || out.size() > size_ - offset)
    throw std::out_of_range("SparseFile::read past the end: offset " + std::to_string(offset) + " length " +
                            std::to_string(out.size()) + " size " + std::to_string(size_));
  uint64_t pos = offset;
  size_t done = 0;
  while (done < out.size()) {
    uint64_t page = pos / kPageSize;
    size_t in_page = pos % kPageSize;
    size_t n = std::min<size_t>(out.size() - done, kPageSize - in_page);
    auto it = pages_.find(page);
    if (it == pages_.end())
      std::memset(out.data() + done, 0, n);
    else
      std::memcpy(out.data() + done, it->second.data() + in_page, n);
    pos += n;
    done += n;
  }
}

std::vector<uint8_t> SparseFile::read(uint64_t offset, uint64_t length) const {
  std::vector<uint8_t> out(length);
  read(offset, out);
  return out;
}

std::vector<uint8_t> SparseFile::to_vector() const {
  if (size_ > (uint64_t{1} << 30)) throw std::length_error("SparseFile::to_vector: image larger than 1 GiB");
  return read(0, size_);
}

void SparseFile::write_file(const std::filesystem::path& path) const {
  {
    std::ofstream create(path, std::ios::binary | std::ios::trunc);
    if (!create) throw std::runtime_error("cannot create " + path.string());
  }
  // Setting the size first leaves every page we do not write as a hole.
  std::filesystem::resize_file(path, size_);
  std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
  if (!out) throw std::runtime_error("cannot open " + path.string());
  for (const auto& [page, bytes] : pages_) {
    uint64_t offset = page * kPageSize;
    if (offset >= size_ || all_zero(bytes)) continue;
    size_t n = static_cast<size_t>(std::min<uint64_t>(kPageSize, size_ - offset));
    out.seekp(static_cast<std::streamoff>(offset));
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(n));
  }
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<uint64_t> SparseFile::page_offsets() const {
  std::vector<uint64_t> out;
  out.reserve(pages_.size());
  for (const auto& entry : pages_) out.push_back(entry.first * kPageSize);
  return out;
}

bool operator==(const SparseFile& a, const SparseFile& b) {
  if (a.size_ != b.size_) return false;
  std::vector<uint64_t> offsets = a.page_offsets();
  std::vector<uint64_t> more = b.page_offsets();
  offsets.insert(offsets.end(), more.begin(), more.end());
  for (uint64_t off : offsets) {
    uint64_t n = std::min<uint64_t>(SparseFile::kPageSize, a.size_ - off);
    if (a.read(off, n) != b.read(off, n)) return false;
  }
  return true;
}

}  // namespace vhdchain::test
