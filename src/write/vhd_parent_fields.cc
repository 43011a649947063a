#include "write/vhd_parent_fields.h"

#include <algorithm>

#include "base/utf16.h"
#include "vhd/layout.h"
#include "vhdchain/error.h"

namespace vhdchain::write {
namespace {

// Hyper-V's reserved spaces (formats.md example E2).
constexpr uint32_t kHyperVW2kuSpace = 4096;
constexpr uint32_t kHyperVW2ruSpace = 65536;

VhdLocatorData locator(uint32_t code, const std::string& text, uint32_t default_space) {
  VhdLocatorData out;
  out.platform_code = code;
  out.text = text;
  out.data = utf8_to_utf16(text, Endian::little);
  const uint64_t rounded = (out.data.size() + vhd::kSectorSize - 1) / vhd::kSectorSize * vhd::kSectorSize;
  out.space = static_cast<uint32_t>(std::max<uint64_t>(default_space, rounded));
  return out;
}

}  // namespace

std::vector<VhdLocatorData> vhd_locators_for(const ParentPaths& paths) {
  std::vector<VhdLocatorData> out;
  if (paths.absolute_win32_path && !paths.absolute_win32_path->empty())
    out.push_back(locator(vhd::kPlatformW2ku, *paths.absolute_win32_path, kHyperVW2kuSpace));
  if (!paths.relative_path.empty()) out.push_back(locator(vhd::kPlatformW2ru, paths.relative_path, kHyperVW2ruSpace));
  if (out.empty())
    throw Error(ErrorCode::invalid_argument,
                "neither a relative nor an absolute Windows path of the parent is known: a VHD child needs at least "
                "one parent locator");
  for (const VhdLocatorData& l : out)
    if (l.data.size() > vhd::kMaxLocatorDataLength)
      throw Error(ErrorCode::invalid_argument, "parent path \"" + l.text + "\" is too long for a VHD locator");
  return out;
}

std::string vhd_parent_name_for(const ParentPaths& paths) {
  const std::string& full = paths.absolute_win32_path && !paths.absolute_win32_path->empty()
                                ? *paths.absolute_win32_path
                                : paths.relative_path;
  if (utf8_to_utf16(full, Endian::big).size() <= vhd::header_field::kParentUnicodeNameSize) return full;
  // Longer than the 256 UTF-16 units the field holds: a cut path would name a wrong file, while the
  // file name alone is what VirtualBox stores and still identifies the parent to a reader.
  const auto slash = full.find_last_of('\\');
  std::string name = slash == std::string::npos ? full : full.substr(slash + 1);
  while (utf8_to_utf16(name, Endian::big).size() > vhd::header_field::kParentUnicodeNameSize) name.pop_back();
  return name;
}

}  // namespace vhdchain::write
