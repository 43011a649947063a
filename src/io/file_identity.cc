// Platform-neutral parts of file identity: rendering, and the names of the access statuses. The
// system calls live in file_identity_posix.cc and file_identity_win32.cc.
#include "vhdchain/file_identity.h"

#include <fmt/format.h>

namespace vhdchain {

std::string FileIdentity::to_string() const {
  return fmt::format("volume {:#x} file 0x{:016x}{:016x}", volume_id, file_id_high, file_id_low);
}

std::string_view to_string(AccessStatus status) {
  switch (status) {
    case AccessStatus::ok: return "ok";
    case AccessStatus::not_found: return "not_found";
    case AccessStatus::access_denied: return "access_denied";
    case AccessStatus::other: return "other";
  }
  return "?";
}

}  // namespace vhdchain
