// Images and digests shared by the VHDX write tests.
#pragma once

#include <string>
#include <vector>

#include "cli/check_fixtures.h"
#include "support/sha256.h"
#include "vhdchain/chain.h"

namespace vhdchain::test {

// A dynamic VHDX (vhdx_base_spec) with blocks 0 and 2 holding data, left with a pending log: before
// replay, block 2's BAT entry still says NOT_PRESENT, so a reader that skips the log reads zeros there.
inline ImageSpec dirty_vhdx_spec(uint64_t seed, const Guid& log_guid) {
  ImageSpec spec = vhdx_base_spec(seed);
  spec.blocks[2] = BlockSpec::full();
  VhdxLogSpec log;
  log.log_guid = log_guid;
  log.pending_blocks[2] = BlockState::not_present;
  spec.vhdx.log = log;
  return spec;
}

// SHA-256 of the virtual disk of the chain ending at `leaf`, read through the library (small disks).
inline std::string chain_sha256(const std::string& leaf) {
  const Chain chain = open_chain(leaf);
  auto reader = chain.reader();
  std::vector<uint8_t> all(chain.virtual_size());
  reader->read_at(0, all);
  return sha256_hex(all);
}

}  // namespace vhdchain::test
