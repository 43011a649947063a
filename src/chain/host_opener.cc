// The default ImageOpener: the image and its file identity from one open handle, so the identity
// used for loop detection is that of the file actually read, even if a path is replaced while the
// chain is being opened. On Windows the identity is FILE_ID_INFO, so D:\x and C:\Hyper-V\x (one
// volume, two mount points) give one key.
#include "vhdchain/chain.h"
#include "vhdchain/file.h"
#include "vhdchain/file_identity.h"

namespace vhdchain {

OpenedImage open_host_image(const std::string& path) {
  std::shared_ptr<File> file = File::open(path, OpenMode::read_only);
  OpenedImage opened;
  opened.key = file_identity(*file);
  opened.image = open_image(std::move(file));
  return opened;
}

}  // namespace vhdchain
