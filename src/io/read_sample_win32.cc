#include <memory>

#include "io/read_sample.h"
#include "io/read_sample_common.h"
#include "io/win32.h"

namespace vhdchain::io {
namespace {

struct Handle {
  HANDLE h = INVALID_HANDLE_VALUE;
  ~Handle() {
    if (h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
  }
};

HANDLE open_for_sample(const std::string& path, DWORD flags) {
  return ::CreateFileW(win32::to_win32_path(path).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                       nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | flags, nullptr);
}

bool read_piece(HANDLE h, uint64_t offset, uint8_t* buffer) {
  OVERLAPPED at{};
  at.Offset = static_cast<DWORD>(offset);
  at.OffsetHigh = static_cast<DWORD>(offset >> 32);
  DWORD got = 0;
  return ::ReadFile(h, buffer, static_cast<DWORD>(kSamplePieceBytes), &got, &at) && got == kSamplePieceBytes;
}

}  // namespace

std::optional<ReadSample> sample_read_rate(const std::string& path, uint64_t budget) {
  Handle cached{open_for_sample(path, 0)};
  if (cached.h == INVALID_HANDLE_VALUE) return std::nullopt;
  LARGE_INTEGER size{};
  if (!::GetFileSizeEx(cached.h, &size)) return std::nullopt;
  const std::vector<uint64_t> offsets = sample_offsets(static_cast<uint64_t>(size.QuadPart), budget);
  if (offsets.empty()) return std::nullopt;
  // Page-aligned memory and 1 MiB-aligned offsets and lengths: what unbuffered reads require of
  // any sector size.
  struct Free {
    void operator()(void* p) const { ::VirtualFree(p, 0, MEM_RELEASE); }
  };
  const std::unique_ptr<void, Free> memory(
      ::VirtualAlloc(nullptr, kSamplePieceBytes, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
  if (!memory) return std::nullopt;
  uint8_t* buffer = static_cast<uint8_t*>(memory.get());
  const uint64_t bytes = offsets.size() * kSamplePieceBytes;

  if (Handle direct{open_for_sample(path, FILE_FLAG_NO_BUFFERING)}; direct.h != INVALID_HANDLE_VALUE)
    if (const std::optional<double> seconds =
            time_reads(offsets, [&](uint64_t offset) { return read_piece(direct.h, offset, buffer); }))
      return ReadSample{bytes, *seconds, true};
  if (const std::optional<double> seconds =
          time_reads(offsets, [&](uint64_t offset) { return read_piece(cached.h, offset, buffer); }))
    return ReadSample{bytes, *seconds, false};
  return std::nullopt;
}

}  // namespace vhdchain::io
