// Giving a file its space on the volume now, not when it is first written.
//
// A fixed disk promises that writing to it never needs more space (seed 001: every VM on a full
// volume paused). A file whose payload is a hole keeps no such promise: it grows as the guest
// writes. preallocate reserves the blocks (Linux fallocate, mode 0; Windows FileAllocationInfo),
// so later writes cannot fail for want of space. Neither exposes what the volume held before:
// fallocate's blocks read as zeros (unwritten extents), and NTFS/ReFS read zeros past a file's
// valid data length, which FileAllocationInfo leaves where it was.
#pragma once

#include <cstdint>

#include "vhdchain/file.h"

namespace vhdchain::io {

// Allocates [0, length) of `file` (opened for writing, already `length` long or longer) on its
// volume. Throws IoError (ErrorCode::no_space when the volume lacks the space, nothing reserved
// beyond what the system kept). No I/O event: no byte that reads back changes.
void preallocate(File& file, uint64_t length);

}  // namespace vhdchain::io
