// What the POSIX and Win32 samplers of read_sample.h share: where the pieces are read (tested
// alone) and how the reads are timed.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace vhdchain::io {

constexpr uint64_t kSamplePieceBytes = uint64_t{1} << 20;

// Offsets of up to budget / 1 MiB pieces, 1 MiB-aligned (what unbuffered reads need), spread
// evenly from the start of the file to its last whole MiB, ascending. Empty below 1 MiB.
inline std::vector<uint64_t> sample_offsets(uint64_t file_size, uint64_t budget) {
  const uint64_t whole = file_size / kSamplePieceBytes;  // pieces that fit
  const uint64_t count = std::min(whole, budget / kSamplePieceBytes);
  std::vector<uint64_t> offsets;
  for (uint64_t i = 0; i < count; ++i)
    offsets.push_back(count == 1 ? 0 : i * (whole - 1) / (count - 1) * kSamplePieceBytes);
  return offsets;
}

// Seconds to read a piece at every offset with read_piece(offset) -> bool; nullopt when one fails.
template <class ReadPiece>
std::optional<double> time_reads(const std::vector<uint64_t>& offsets, ReadPiece read_piece) {
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t offset : offsets)
    if (!read_piece(offset)) return std::nullopt;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace vhdchain::io
