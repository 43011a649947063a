// A new file built under a temporary name beside its final path and published whole.
//
// create must never leave a half-written disk under the name the user asked for: a VM pointed at
// it would see garbage. The file is written as ".<name>.vhdchain-partial" in the target folder (same
// volume, so the rename is atomic), flushed, then renamed to the final name without replacing
// anything (io::rename_no_replace), and the folder is flushed. A crash leaves at most the partial
// file, which the next create of the same name removes.
//
// The same routine publishes every output the tool writes: disks, the VHD journal and merge
// marker, and the CLI's report files (check --output), which replace their previous version
// (IfExists::replace: a textfile collector must see the old report or the new one, never half).
#pragma once

#include <memory>
#include <string>

#include "vhdchain/file.h"

namespace vhdchain::write {

class NewFile {
 public:
  enum class IfExists { refuse, replace };

  // IfExists::refuse: fails (ErrorCode::invalid_argument) when `final_path` exists, and publish()
  // never replaces a file that appeared meanwhile. IfExists::replace: publish() renames over it.
  // A stale partial file of an earlier, interrupted write of the same name is removed first.
  explicit NewFile(std::string final_path, IfExists if_exists = IfExists::refuse);
  ~NewFile();  // removes the partial file unless published (best effort, never throws)
  NewFile(const NewFile&) = delete;
  NewFile& operator=(const NewFile&) = delete;

  File& file() { return *file_; }
  const std::string& partial_path() const { return partial_path_; }
  const std::string& final_path() const { return final_path_; }

  // Flushes, closes and renames the file to its final name, durably.
  void publish();

  // The partial name used for `final_path` (for tests and error messages).
  static std::string partial_path_for(const std::string& final_path);

 private:
  std::string final_path_;
  std::string partial_path_;
  std::unique_ptr<File> file_;
  IfExists if_exists_;
  bool published_ = false;
};

}  // namespace vhdchain::write
