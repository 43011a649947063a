// Decoding fuzz inputs into (possibly huge, mostly zero) disk image files.
//
// VHDX places every structure at 64 KiB or 1 MiB boundaries, so a raw byte string would have to be
// megabytes long before a fuzzer could reach the metadata or the BAT. Instead an input describes a
// sparse file:
//
//   u64 LE  file size (taken modulo 2^40, so at most 1 TiB of which nearly all is zeros)
//   then, repeated until the input ends:
//   u64 LE  offset (modulo file size)
//   u16 LE  length n
//   n bytes placed at offset (clipped to the file size)
//
// Everything not covered by a patch reads as zeros. tests/fuzz/make_seed.py turns an image into this
// form (its non-zero 4 KiB pages), which is how the committed seed corpus was made.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "io/overlay_reader.h"
#include "vhdchain/reader.h"

namespace vhdchain::fuzz {

class ZeroReader final : public Reader {
 public:
  ZeroReader(uint64_t size, std::string name) : size_(size), name_(std::move(name)) {}
  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override;
  const std::string& name() const override { return name_; }

 private:
  uint64_t size_;
  std::string name_;
};

// The next n bytes (at most 8) of `input` as a little-endian integer, advancing it past them; bytes
// past its end read as zeros.
uint64_t take_le(std::span<const uint8_t>& input, size_t n);

// Decodes one sparse image from `input` (all of it: chain_read frames several images by length) and
// advances it past what was used.
std::shared_ptr<const Reader> decode_sparse_image(std::span<const uint8_t>& input, const std::string& name);

}  // namespace vhdchain::fuzz
