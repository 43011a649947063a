// Reports written to a file go through the library's one publish routine (write::NewFile: a temp
// name beside the file, flushed, renamed over the old report, the folder flushed), so a collector
// reading the file at any moment sees the old report or the new one, and the new name survives a
// power loss. The partial name (".<name>.vhdchain-partial") is a dot name that node_exporter's and
// windows_exporter's textfile collectors (*.prom only) never read.
#include <cstdio>
#include <span>

#include "output_file.h"
#include "write/new_file.h"

namespace vhdchain::cli {

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  write::NewFile out(path, write::NewFile::IfExists::replace);
  out.file().write_at(0, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  out.publish();
}

}  // namespace vhdchain::cli
