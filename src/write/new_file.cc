#include "write/new_file.h"

#include "io/fs_ops.h"
#include "vhdchain/error.h"

namespace vhdchain::write {

std::string NewFile::partial_path_for(const std::string& final_path) {
  const size_t name_at = final_path.size() - io::file_name_of(final_path).size();
  return final_path.substr(0, name_at) + "." + final_path.substr(name_at) + ".vhdchain-partial";
}

NewFile::NewFile(std::string final_path, IfExists if_exists)
    : final_path_(std::move(final_path)), partial_path_(partial_path_for(final_path_)), if_exists_(if_exists) {
  if (if_exists_ == IfExists::refuse && io::path_exists(final_path_))
    throw Error(ErrorCode::invalid_argument, final_path_ + ": exists; create never replaces a file");
  io::remove_file(partial_path_);
  file_ = File::open(partial_path_, OpenMode::create_new);
}

NewFile::~NewFile() {
  if (published_) return;
  file_.reset();
  try {
    io::remove_file(partial_path_);
  } catch (...) {
    // Left for the next create of this name to remove.
  }
}

void NewFile::publish() {
  file_->flush();
  file_.reset();  // Windows cannot rename an open file; the lock goes with the handle.
  if (if_exists_ == IfExists::replace)
    io::rename_replace(partial_path_, final_path_);
  else
    io::rename_no_replace(partial_path_, final_path_);
  published_ = true;
}

}  // namespace vhdchain::write
