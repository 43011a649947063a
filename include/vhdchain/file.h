// A host file, the only place the library touches the operating system's file API.
//
// Read-only opens never write: they use O_RDONLY (CreateFileW GENERIC_READ with full sharing, so a
// disk in use by Hyper-V can still be inspected). Writable opens take an exclusive advisory lock
// (flock / LockFileEx) so two vhdchain processes never write the same disk at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "vhdchain/reader.h"

namespace vhdchain {

enum class OpenMode {
  read_only,   // never writes, never locks
  read_write,  // existing file, locked exclusively
  create_new,  // new file (fails if it exists), locked exclusively
};

class File final : public Reader, public Writer {
 public:
  static std::unique_ptr<File> open(const std::string& path, OpenMode mode);
  ~File() override;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override;
  const std::string& name() const override { return path_; }

  void write_at(uint64_t offset, std::span<const uint8_t> data) override;
  void flush() override;
  void resize(uint64_t new_size) override;

  // Bytes the file occupies on its volume (st_blocks * 512; Win32 GetCompressedFileSizeW).
  uint64_t allocated_bytes() const;
  OpenMode mode() const { return mode_; }
  // Platform handle (fd on POSIX, HANDLE cast to intptr_t on Windows) for the few callers that
  // need platform calls such as copy_file_range.
  intptr_t native_handle() const { return handle_; }

 private:
  File(std::string path, intptr_t handle, OpenMode mode, uint64_t size);
  std::string path_;
  intptr_t handle_;
  OpenMode mode_;
  uint64_t size_;
};

// A process-wide observer of completed writes, for crash testing. After every write_at, flush and
// resize of any writable File, and every rename and remove of the fs_ops (src/io/fs_ops.h), has
// completed, the hook is called with what was done. The kill tests
// install one that ends the process after N calls (the CLI reads VHDCHAIN_FAULT_AFTER_IO, see
// docs/testing-writes.md); in-process tests install one that throws. Null (the default): nothing.
enum class IoEvent { write, flush, resize, rename, remove };
using IoEventHook = void (*)(IoEvent event, const std::string& path);
void set_io_event_hook(IoEventHook hook);

}  // namespace vhdchain
