// The byte-source seam of the library.
//
// Every parser reads through a Reader, never through a path: files, in-memory buffers (tests,
// fuzzers), a file seen through a replayed VHDX log, and the virtual disk of a whole chain all
// implement it. Writers (the in-place write layer, exports) implement Writer.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace vhdchain {

class Reader {
 public:
  virtual ~Reader() = default;

  // Current size in bytes.
  virtual uint64_t size() const = 0;

  // Reads exactly out.size() bytes at offset. Throws vhdchain::Error (ErrorCode::invalid_argument)
  // when [offset, offset+out.size()) is not inside [0, size()), IoError when the system fails.
  // Safe to call from several threads at once.
  virtual void read_at(uint64_t offset, std::span<uint8_t> out) const = 0;

  // What error messages call this source: a path, or a descriptive name for memory sources.
  virtual const std::string& name() const = 0;
};

class Writer {
 public:
  virtual ~Writer() = default;
  // Writes all of data at offset, extending the target if needed.
  virtual void write_at(uint64_t offset, std::span<const uint8_t> data) = 0;
  // Makes every completed write durable (fsync / FlushFileBuffers).
  virtual void flush() = 0;
  // Sets the size; growing leaves a hole that reads as zeros.
  virtual void resize(uint64_t new_size) = 0;
};

}  // namespace vhdchain
