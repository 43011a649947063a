// Names of the case-insensitive lookup's outcomes. (File identity itself is io's:
// include/vhdchain/file_identity.h.)
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {

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
