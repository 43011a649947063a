// Which merged layer holds each range of the virtual disk: the sources of a merge read top down,
// the first layer that holds a range (data, or zeros it defines) wins; a range no source holds keeps
// the target's own content.
#pragma once

#include <cstdint>
#include <vector>

#include "vhdchain/disk_image.h"

namespace vhdchain::write {

struct CoveredRun {
  uint64_t offset = 0;       // virtual
  uint64_t length = 0;
  int source = -1;           // index into the sources; -1: no source holds it
  bool zero = false;         // the source defines it as zeros
  uint64_t file_offset = 0;  // data: where in the source's data()
};

// The runs of [offset, offset + length), in order, adjacent runs of one kind coalesced.
std::vector<CoveredRun> covered_runs(const std::vector<const DiskImage*>& sources, uint64_t offset, uint64_t length);

}  // namespace vhdchain::write
