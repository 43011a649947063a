// What every fuzz target does with an image once it opened: ask for everything a command would.
#pragma once

#include "vhdchain/disk_image.h"

namespace vhdchain::fuzz {

// Calls info(), block_stats(), and map() over the disk (bounded number of runs), reading the data
// of a bounded number of data runs. Library errors (vhdchain::Error) are expected and swallowed by
// the caller; anything else (crash, sanitizer report, other exception) is a bug.
void exercise_image(const DiskImage& image);

}  // namespace vhdchain::fuzz
