// Writing a report: to stdout, or to a file replaced atomically (textfile collectors read the file
// at any moment, so it must never be seen half-written).
#pragma once

#include <string>

namespace vhdchain::cli {

// path empty or "-": stdout. Otherwise the text goes to a temp file in the same folder, is flushed
// to disk and renamed over path. Throws IoError naming the file on failure (the temp file removed).
void write_output(const std::string& path, const std::string& text);

}  // namespace vhdchain::cli
