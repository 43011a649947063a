// The parent fields of a differencing VHD as vhdchain writes them (create and relink share them):
// which locator entries, their UTF-16LE data and reserved space, and the parent unicode name.
//
// Hyper-V's layout is the model (formats.md 3.3, example E2): W2ku (absolute Windows path) in the
// first slot with 4096 bytes of space, W2ru (".\parent.vhd") in the second with 65536, data space
// counted in bytes, data without a terminator; the parent unicode name is the absolute path.
// The generous spaces are what let a later relink rewrite a path in place.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vhdchain/write.h"

namespace vhdchain::write {

struct VhdLocatorData {
  uint32_t platform_code = 0;  // vhd::kPlatformW2ku or vhd::kPlatformW2ru
  std::string text;            // the path, UTF-8
  std::vector<uint8_t> data;   // UTF-16LE, no terminator
  uint32_t space = 0;          // bytes to reserve: Hyper-V's default, or the data rounded up to 512
};

// W2ku (when the absolute path is known) then W2ru (when a relative path exists). Throws
// Error(invalid_argument) when neither is known: a child must say where its parent is.
std::vector<VhdLocatorData> vhd_locators_for(const ParentPaths& paths);

// The parent unicode name: the absolute Windows path as Hyper-V stores it; when only the relative
// path is known, that path (readers resolve a relative name against the child's folder). A path longer than the 512 bytes the field holds is replaced by its
// file name.
std::string vhd_parent_name_for(const ParentPaths& paths);

}  // namespace vhdchain::write
