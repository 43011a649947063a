// How fast a file's bytes come off its storage: the sample behind a merge's estimate.
//
// A merge reads its sources and writes the target, so its duration follows the storage, not the
// page cache. A sample read through the cache (a file just copied, or read by a previous merge
// attempt) measured memory and promised a 4 GiB merge in 1 s that took 4. So the sample reads
// around the cache where the system allows it (Linux O_DIRECT, Windows FILE_FLAG_NO_BUFFERING),
// and in pieces spread over the whole file, as a merge's reads are, not its first MiBs (which
// for a VHDX are headers, log and BAT).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vhdchain::io {

struct ReadSample {
  uint64_t bytes = 0;
  double seconds = 0;
  bool uncached = false;  // read around the page cache; false: the system refused (tmpfs, some network shares)
};

// Reads up to `budget` bytes of `path` in 1 MiB pieces spread evenly over the file. nullopt when
// the file is shorter than 1 MiB or cannot be read (the caller shows no estimate then). Never
// writes; opens the file read-only.
std::optional<ReadSample> sample_read_rate(const std::string& path, uint64_t budget);

}  // namespace vhdchain::io
