// Errors raised by the vhdchain library.
//
// The library never prints, logs or exits. Anything that stops an operation is thrown as a
// vhdchain::Error (or a subclass); the CLI catches it once and maps ErrorCode to an exit status.
//
// A structural problem in a disk image is a FormatError. Its message always names the file,
// the structure and the absolute byte offset of that structure, so that an admin holding a hex
// editor can find it:
//
//   /vms/a.vhdx: region table entry 1 @0x30020: file offset 0x1234 is not 1 MiB aligned
//
// Tests assert these messages exactly, so change their wording deliberately.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vhdchain {

enum class ErrorCode {
  io,                // the operating system refused a read, write, open or flush
  format,            // the bytes do not follow the VHD/VHDX specification
  unsupported,       // valid, but something this version does not handle (e.g. unknown required metadata)
  parent_missing,    // a differencing disk's parent could not be found
  parent_mismatch,   // a parent was found but its identity does not match the child's link
  invalid_argument,  // the caller asked for something impossible (read past the end, bad option)
  locked,            // another process holds the file
  no_space,          // the target volume is full
  refused,           // a write's preflight refused it before its first byte (vhdchain/preflight.h)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// Where in a file a structural error was found.
struct Location {
  std::string file;       // path or name of the Reader the structure was read from
  std::string structure;  // e.g. "header 1", "region table entry 1", "BAT entry 17"
  uint64_t offset = 0;    // absolute byte offset of that structure (or of the field) in the file
};

class FormatError : public Error {
 public:
  // detail names the field and what is wrong with it, e.g. "file offset 0x1234 is not 1 MiB aligned".
  FormatError(Location where, const std::string& detail, ErrorCode code = ErrorCode::format);

  const Location& where() const noexcept { return where_; }
  // The message without the file name: "<structure> @0x<offset>: <detail>".
  const std::string& detail_with_place() const noexcept { return place_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  Location where_;
  std::string detail_;
  std::string place_;
};

// An operating-system failure on a named file. errno_value is errno (POSIX) or GetLastError() (Win32).
class IoError : public Error {
 public:
  IoError(const std::string& file, const std::string& action, int errno_value, uint64_t offset = UINT64_MAX);
  int errno_value() const noexcept { return errno_; }

 private:
  int errno_;
};

}  // namespace vhdchain
