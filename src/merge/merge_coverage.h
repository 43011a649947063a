// Which merged layer holds each range of the virtual disk: the sources of a merge read top down,
// the first layer that holds a range (data, or zeros it defines) wins; a range no source holds keeps
// the target's own content.
#pragma once

#include <cstdint>
#include <vector>

#include "vhdchain/disk_image.h"
#include "write/payload_copier.h"

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

// What a source's covered run puts at target_offset for the payload copier (write/payload_copier.h,
// which knows nothing of merges): its bytes, or zeros where the source defines zeros.
inline PayloadPiece piece_for(uint64_t target_offset, const CoveredRun& run) {
  return run.zero ? PayloadPiece{target_offset, run.length, -1, 0}
                  : PayloadPiece{target_offset, run.length, run.source, run.file_offset};
}

}  // namespace vhdchain::write
