// Platform-neutral parts of file identity: rendering and the names of the access statuses.
// The system calls live in identity_posix.cc (and a future identity_win32.cc).
#include <fmt/format.h>

#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {

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

std::string_view to_string(LookupStatus status) {
  switch (status) {
    case LookupStatus::exact: return "exact";
    case LookupStatus::case_differs: return "case_differs";
    case LookupStatus::ambiguous: return "ambiguous";
    case LookupStatus::not_found: return "not_found";
    case LookupStatus::unreadable: return "unreadable";
  }
  return "?";
}

}  // namespace vhdchain::hostpath
