#include "hostpath/parent_paths.h"

#include <fmt/format.h>

#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {

std::string relative_windows_path(std::span<const std::string> from_folder, std::span<const std::string> to_file,
                                  bool ignore_case) {
  if (to_file.empty()) throw Error(ErrorCode::invalid_argument, "parent path: no file name");
  for (const std::string& name : to_file)
    if (name.find('\\') != std::string::npos)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("parent path: the name \"{}\" holds a '\\', which Windows reads as a separator", name));
  auto same = [&](const std::string& a, const std::string& b) {
    return ignore_case ? equal_ignore_case(a, b) : a == b;
  };
  // The file name itself is never part of the shared folder prefix.
  size_t common = 0;
  while (common < from_folder.size() && common + 1 < to_file.size() && same(from_folder[common], to_file[common]))
    ++common;
  std::string out;
  if (common == from_folder.size()) {
    out = ".\\";
  } else {
    for (size_t i = common; i < from_folder.size(); ++i) out += "..\\";
  }
  for (size_t i = common; i < to_file.size(); ++i) {
    out += to_file[i];
    if (i + 1 < to_file.size()) out += '\\';
  }
  return out;
}

}  // namespace vhdchain::hostpath
