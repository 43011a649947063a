// Copying a chain's virtual disk to a RawTarget in large writes, leaving holes where it can.
#pragma once

#include <cstdint>
#include <functional>

#include "raw_target.h"
#include "vhdchain/chain.h"

namespace vhdchain::cli {

struct CopyStats {
  uint64_t data_bytes = 0;  // read from the layers
  uint64_t zero_bytes = 0;  // zeros by the chain's maps (holes or written zeros)
};

// Reads reader from 0 to size() and writes it to target (not committed). `progress` is called with
// the bytes done so far, often.
CopyStats copy_raw(const ChainReader& reader, RawTarget& target, const std::function<void(uint64_t)>& progress);

}  // namespace vhdchain::cli
