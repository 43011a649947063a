// The folder of a path (fs_ops.h): one rule, so a writer, the CLI and the chain resolver agree on
// where a file's folder ends, and no POSIX caller splits at a '\' that is part of a name.
#include "io/fs_ops.h"

namespace vhdchain::io {

size_t last_separator(std::string_view path) {
#ifdef _WIN32
  size_t at = path.find_last_of("/\\");
  if (at == std::string_view::npos && path.size() >= 2 && path[1] == ':') at = 1;
  return at;
#else
  return path.rfind('/');
#endif
}

std::string folder_of(std::string_view path) {
  const size_t at = last_separator(path);
  if (at == std::string_view::npos) return ".";
  if (at == 0) return std::string(path.substr(0, 1));
#ifdef _WIN32
  if (at == 2 && path[1] == ':') return std::string(path.substr(0, 3));  // "C:\x" -> "C:\"
  if (path[at] == ':') return std::string(path.substr(0, 2));             // "C:x" -> "C:"
#endif
  return std::string(path.substr(0, at));
}

std::string_view file_name_of(std::string_view path) {
  const size_t at = last_separator(path);
  return at == std::string_view::npos ? path : path.substr(at + 1);
}

}  // namespace vhdchain::io
