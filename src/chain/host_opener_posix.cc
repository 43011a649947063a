// The default ImageOpener on POSIX hosts: the image and its file identity from one open handle, so
// the identity used for loop detection is that of the file actually read, even if a path is
// replaced while the chain is being opened.
#include <sys/stat.h>

#include <cerrno>

#include "vhdchain/chain.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"

namespace vhdchain {

OpenedImage open_host_image(const std::string& path) {
  std::shared_ptr<File> file = File::open(path, OpenMode::read_only);
  struct stat st {};
  if (::fstat(static_cast<int>(file->native_handle()), &st) != 0) throw IoError(path, "stat", errno);
  OpenedImage opened;
  opened.key = FileKey{static_cast<uint64_t>(st.st_dev), 0, static_cast<uint64_t>(st.st_ino)};
  opened.image = open_image(std::move(file));
  return opened;
}

}  // namespace vhdchain
