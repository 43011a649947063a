// The VHDX parent locator metadata item (MS-VHDX 2.6.2.6): how a differencing disk names its parent.
#pragma once

#include <vector>

#include "io/byte_view.h"
#include "vhdchain/disk_image.h"

namespace vhdchain::vhdx {

struct DecodedParentLocator {
  ParentLink link;
  std::vector<Note> notes;
};

// Decodes the whole item (view: structure "parent locator", offset = the item's absolute offset).
// Every key/value entry is kept in stored order; parent_linkage is required and parsed (with or
// without braces, any case), parent_linkage2 is parsed when present (an all-zero GUID is kept).
DecodedParentLocator decode_parent_locator(const ByteView& item);

}  // namespace vhdchain::vhdx
