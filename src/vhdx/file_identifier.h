// The file type identifier at offset 0 (MS-VHDX 2.2.1): the signature that makes a file a VHDX,
// and a free-form creator string that is diagnostic only.
#pragma once

#include <string>

#include "io/byte_view.h"

namespace vhdchain::vhdx {

struct FileIdentifier {
  std::string creator;  // UTF-8; empty when the writer left it blank
};

// Decodes the first 520 bytes at offset 0 (structure "file identifier").
FileIdentifier decode_file_identifier(const ByteView& view);

}  // namespace vhdchain::vhdx
