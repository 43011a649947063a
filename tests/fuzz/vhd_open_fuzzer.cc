// libFuzzer target: open an arbitrary VHD and use it.
#include <cstddef>
#include <cstdint>

#include "exercise_image.h"
#include "sparse_input.h"
#include "vhdchain/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  auto file = vhdchain::fuzz::decode_sparse_image(input, "fuzz.vhd");
  try {
    auto image = vhdchain::vhd::open(file);
    vhdchain::fuzz::exercise_image(*image);
  } catch (const vhdchain::Error&) {
  }
  return 0;
}
