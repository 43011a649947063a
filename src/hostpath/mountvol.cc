// Reading a host's volume list from the text `mountvol` (no arguments) prints.
//
// The output is the command's usage text, a header ("Possible values for VolumeName along with
// current mount points are:", localised on non-English Windows), then per volume an indented
// \\?\Volume{GUID}\ line followed by indented mount points or "*** NO MOUNT POINTS ***" (also
// localised), with blank lines between volumes. So we key on structure, not words: lines before the
// first volume line are skipped, a line starting with "***" is the no-mount-point marker, anything
// else after a volume line must be a mount point. Saved files come in whatever encoding the shell
// used (cmd: OEM code page; PowerShell 5.1 `>`: UTF-16LE with BOM; PowerShell 7: UTF-8).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "base/utf16.h"
#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool starts_with_volume(std::string_view t) {
  constexpr std::string_view kPrefix = "\\\\?\\volume{";
  if (t.size() < kPrefix.size()) return false;
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    char c = t[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kPrefix[i]) return false;
  }
  return true;
}

[[noreturn]] void fail(std::string_view source_name, size_t line_no, std::string_view what) {
  throw Error(ErrorCode::format, fmt::format("{}: line {}: {}", source_name, line_no, what));
}

}  // namespace

std::string decode_windows_text(std::span<const uint8_t> bytes) {
  if (bytes.size() >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
    return std::string(bytes.begin() + 3, bytes.end());
  if (bytes.size() >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE) return utf16_to_utf8(bytes.subspan(2), Endian::little).utf8;
  if (bytes.size() >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF) return utf16_to_utf8(bytes.subspan(2), Endian::big).utf8;
  // No BOM: ASCII text in UTF-16 has a NUL in every second byte; count where the NULs sit.
  size_t even = 0, odd = 0, n = std::min<size_t>(bytes.size(), 512);
  for (size_t i = 0; i < n; ++i)
    if (bytes[i] == 0) (i % 2 == 0 ? even : odd)++;
  if (odd > n / 4 && odd > even) return utf16_to_utf8(bytes, Endian::little).utf8;
  if (even > n / 4 && even > odd) return utf16_to_utf8(bytes, Endian::big).utf8;
  return std::string(bytes.begin(), bytes.end());
}

WindowsVolumeSet WindowsVolumeSet::from_mountvol(std::span<const uint8_t> bytes, std::string_view source_name) {
  const std::string text = decode_windows_text(bytes);
  std::vector<WindowsVolume> volumes;
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line = trim(std::string_view(text).substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    auto fail = [&](std::string_view what) { hostpath::fail(source_name, line_no, what); };
    if (line.empty()) continue;
    if (starts_with_volume(line)) {
      std::optional<WinPath> p = try_parse_windows_path(line);
      if (!p || p->kind != WinPathKind::volume_guid || !p->components.empty())
        fail(fmt::format("\"{}\" is not a volume GUID path", line));
      volumes.push_back(WindowsVolume{std::string(line), {}});
      continue;
    }
    if (volumes.empty()) continue;       // usage text and the header
    if (line.starts_with("***")) continue;  // *** NO MOUNT POINTS *** (in any language)
    std::optional<WinPath> p = try_parse_windows_path(line);
    if (!p || p->kind != WinPathKind::drive_absolute)
      fail(fmt::format("\"{}\" is neither a volume GUID path nor a drive letter or folder mount point", line));
    volumes.back().mount_points.emplace_back(line);
  }
  if (volumes.empty())
    throw Error(ErrorCode::format,
                fmt::format("{}: no \\\\?\\Volume{{GUID}}\\ line found: is this the output of mountvol?", source_name));
  try {
    return WindowsVolumeSet(std::move(volumes));
  } catch (const Error& e) {
    throw Error(ErrorCode::format, fmt::format("{}: {}", source_name, e.what()));
  }
}

}  // namespace vhdchain::hostpath
