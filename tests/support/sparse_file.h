// An in-memory file that stores only the pages that were written.
//
// Synthetic images describe multi-GiB virtual disks (a 10 GiB fixed VHD, a VHDX spanning several
// BAT chunks) whose bytes are almost all zero. Keeping only written 64 KiB pages makes such images
// cost a few MiB of memory, and write_file() leaves the untouched pages as holes, so they cost
// little disk space either.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <vector>

namespace vhdchain::test {

class SparseFile {
 public:
  static constexpr uint64_t kPageSize = 64 * 1024;

  uint64_t size() const { return size_; }
  // Grows with zeros or cuts (dropping pages past the new end).
  void resize(uint64_t new_size);

  // Writes bytes, growing the file when they end past it.
  void write(uint64_t offset, std::span<const uint8_t> bytes);
  // Makes [offset, offset+length) zero (growing the file when it ends past it).
  void zero(uint64_t offset, uint64_t length);
  // Reads bytes; holes read as zero. Throws std::out_of_range past the end.
  void read(uint64_t offset, std::span<uint8_t> out) const;
  std::vector<uint8_t> read(uint64_t offset, uint64_t length) const;

  // The whole file; throws std::length_error above 1 GiB (use write_file for big images).
  std::vector<uint8_t> to_vector() const;
  // Writes the file, leaving all-zero pages as holes. Overwrites an existing file.
  void write_file(const std::filesystem::path& path) const;

  // Offsets of the pages that hold data (possibly zeros), ascending; for diffing two files.
  std::vector<uint64_t> page_offsets() const;

  friend bool operator==(const SparseFile& a, const SparseFile& b);

 private:
  uint64_t size_ = 0;
  std::map<uint64_t, std::vector<uint8_t>> pages_;  // page index -> kPageSize bytes
};

}  // namespace vhdchain::test
