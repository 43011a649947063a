// The default ImageOpener on Windows: the image and its file identity from one open handle, so the
// identity used for loop detection is that of the file actually read, even if a path is replaced
// while the chain is being opened. FileKey carries FILE_ID_INFO (64-bit volume serial, 128-bit file
// id; the same fields hostpath::file_identity reports), so D:\x and C:\Hyper-V\x give one key.
#include "io/win32.h"
#include "vhdchain/chain.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"

namespace vhdchain {

OpenedImage open_host_image(const std::string& path) {
  std::shared_ptr<File> file = File::open(path, OpenMode::read_only);
  std::optional<win32::FileId> id = win32::file_id_of(reinterpret_cast<HANDLE>(file->native_handle()));
  if (!id) throw IoError(path, "stat", static_cast<int>(::GetLastError()));
  OpenedImage opened;
  opened.key = FileKey{id->volume, id->high, id->low};
  opened.image = open_image(std::move(file));
  return opened;
}

}  // namespace vhdchain
