// File type identifier (MS-VHDX 2.2.1). Only the signature is validated: the creator is optional,
// may or may not be NUL-terminated, and is never trusted for anything but display, so malformed
// UTF-16 is shown with U+FFFD rather than refused.
#include "vhdx/file_identifier.h"

#include "base/utf16.h"
#include "vhdx/layout.h"

namespace vhdchain::vhdx {

FileIdentifier decode_file_identifier(const ByteView& view) {
  if (!view.matches(0, kFileSignature)) view.fail("signature is not 'vhdxfile'");
  FileIdentifier id;
  id.creator = utf16_to_utf8_until_nul(view.bytes(8, 512), Endian::little).utf8;
  return id;
}

}  // namespace vhdchain::vhdx
