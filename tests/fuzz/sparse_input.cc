#include "sparse_input.h"

#include <algorithm>
#include <cstring>

#include "vhdchain/error.h"

namespace vhdchain::fuzz {

uint64_t take_le(std::span<const uint8_t>& in, size_t n) {
  uint64_t v = 0;
  size_t k = std::min(n, in.size());
  for (size_t i = 0; i < k; ++i) v |= uint64_t(in[i]) << (8 * i);
  in = in.subspan(k);
  return v;
}

void ZeroReader::read_at(uint64_t offset, std::span<uint8_t> out) const {
  if (offset > size_ || out.size() > size_ - offset) throw Error(ErrorCode::invalid_argument, "read past end");
  std::memset(out.data(), 0, out.size());
}

std::shared_ptr<const Reader> decode_sparse_image(std::span<const uint8_t>& input, const std::string& name) {
  constexpr uint64_t kMaxSize = uint64_t(1) << 40;
  uint64_t size = take_le(input, 8) % kMaxSize;
  auto overlay = std::make_shared<OverlayReader>(std::make_shared<ZeroReader>(size, name));
  while (input.size() >= 10) {
    uint64_t offset = take_le(input, 8);
    uint64_t length = std::min<uint64_t>(take_le(input, 2), input.size());
    if (size > 0) {
      offset %= size;
      uint64_t n = std::min<uint64_t>(length, size - offset);
      overlay->write(offset, input.subspan(0, n));
    }
    input = input.subspan(length);
  }
  return overlay;
}

}  // namespace vhdchain::fuzz
