// Writing a merge batch's payload into the target file, fast and in bounded memory.
//
// The pieces of a batch (what each target range receives: a source file's bytes, or zeros) are
// sorted by target offset and coalesced: neighbours in the target that continue each other in one
// source become one piece. Large pieces of a source read straight from its file are handed to the
// system (io::copy_range: a clone where the file system shares extents, else a kernel copy), so
// their bytes never pass through this process. The rest is gathered into buffers of a few MiB,
// filled by a reader thread while this thread writes the previous ones: reading the sources
// overlaps writing the target, and memory stays at a fixed number of buffers whatever the disk.
//
// Only this (the calling) thread writes, in target order, so the writes and their I/O events come
// in the same order on every run (the kill tests count them). The reader thread only reads the
// sources, which a merge never writes. Nothing is flushed here: the caller flushes the batch before
// the log entry that makes it reachable (merge.h, step 3).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "io/range_copy.h"
#include "vhdchain/disk_image.h"
#include "vhdchain/file.h"

namespace vhdchain::write {

// What one range of the target file receives.
struct PayloadPiece {
  uint64_t target_offset = 0;
  uint64_t length = 0;
  int source = -1;             // index into the copier's sources; -1: zeros
  uint64_t source_offset = 0;  // where in that source's data()
};

class PayloadCopier {
 public:
  // system_copy false: every byte goes through the buffers (no clone, no kernel copy), for
  // benchmarks and tests of the fallback. The sources and the target must outlive the copier.
  PayloadCopier(std::vector<const DiskImage*> sources, File& target, bool system_copy);
  ~PayloadCopier();
  PayloadCopier(const PayloadCopier&) = delete;
  PayloadCopier& operator=(const PayloadCopier&) = delete;

  // Writes the pieces (any order, not overlapping) into the target, whose size already spans them,
  // and returns once every byte is written. Throws what reading a source or writing the target
  // throws; the reader thread is stopped and joined first.
  void copy(std::vector<PayloadPiece> pieces);

  // Payload bytes so far by the way they reached the target.
  struct Tally {
    uint64_t cloned = 0;
    uint64_t kernel_copied = 0;
    uint64_t buffered = 0;
  };
  const Tally& tally() const { return tally_; }

 private:
  struct Chunk;
  struct Handoff;
  // copy()'s steps (payload_copier.cc).
  std::vector<Chunk> plan_chunks(std::vector<PayloadPiece> pieces) const;
  void read_chunks(const std::vector<Chunk>& chunks, Handoff& handoff);   // on the reader thread
  void write_chunks(const std::vector<Chunk>& chunks, Handoff& handoff);  // on the caller's
  void fill(const Chunk& chunk, std::vector<uint8_t>& buffer) const;
  void write_direct(const Chunk& chunk);

  std::vector<const DiskImage*> sources_;
  std::vector<const File*> source_files_;  // a source's data() as a host file; null: seen through a replayed log
  File& target_;
  io::RangeCopyPolicy policy_;
  std::vector<std::vector<uint8_t>> buffers_;  // the reader's, allocated on first use
  std::vector<uint8_t> fallback_;              // this thread's, when the system refuses a direct copy
  Tally tally_;
};

}  // namespace vhdchain::write
