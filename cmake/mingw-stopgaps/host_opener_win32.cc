// STOPGAP (cmake/mingw-deps.cmake adds it only while src/chain/host_opener_win32.cc is missing):
// the proposed Windows counterpart of src/chain/host_opener_posix.cc, for the chain owner to move
// into src/chain/ and list in src/chain/CMakeLists.txt under if(WIN32).
//
// The default ImageOpener on Windows: the image and its file identity from one open handle, so the
// identity used for loop detection is that of the file actually read. FileKey carries FILE_ID_INFO
// (the same fields hostpath::file_identity reports), so D:\x and C:\Hyper-V\x are one key.
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
