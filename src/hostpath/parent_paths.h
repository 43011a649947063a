// The platform-independent half of compose_parent_paths (hostpath.h): the relative form.
#pragma once

#include <span>
#include <string>

namespace vhdchain::hostpath {

// The Windows relative path from the folder `from_folder` (its components, root excluded) to the
// file `to_file` (its components, same root): ".\name" in the same folder, "..\..\base\name"
// otherwise, as Hyper-V writes relative_path and W2ru. Names compare case-insensitively (NTFS)
// when ignore_case. Throws Error(invalid_argument) when a component holds a '\' (Windows would
// read it as a separator) or `to_file` is empty.
std::string relative_windows_path(std::span<const std::string> from_folder, std::span<const std::string> to_file,
                                  bool ignore_case);

}  // namespace vhdchain::hostpath
