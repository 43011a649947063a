// How the CLI's chains reach parents stored as Windows paths, on the host it runs on.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vhdchain/chain.h"

namespace vhdchain::cli {

// On Windows a stored "C:\vms\base.vhdx", "\\server\share\base.vhdx" or
// "\\?\Volume{guid}\base.vhdx" names a file of this very host, so it is tried as written (the
// library's default, for hosts that are not the one the locator was written on, is to leave such a
// path unresolved). Elsewhere the default stands: the file name beside the child is still tried.
inline ChainOptions host_chain_options() {
  ChainOptions options;
#ifdef _WIN32
  options.map_windows_path = [](std::string_view stored) { return std::optional<std::string>(stored); };
#endif
  return options;
}

}  // namespace vhdchain::cli
