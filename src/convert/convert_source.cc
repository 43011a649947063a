#include "convert/convert_source.h"

#include <array>
#include <string_view>

#include <fmt/format.h>

#include "vhdchain/error.h"

namespace vhdchain::convert {
namespace {

// The first bytes of a VHDX file, and of a dynamic VHD's footer copy: a file that starts like one
// but does not open as one is damaged, and its bytes are not a raw disk.
bool starts_like_a_disk_image(const File& file) {
  std::array<uint8_t, 8> head{};
  if (file.size() < head.size()) return false;
  file.read_at(0, head);
  const std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
  return text == "vhdxfile" || text == "conectix";
}

}  // namespace

ConvertSource ConvertSource::open(const std::string& path, const ChainOptions& options) {
  ConvertSource s;
  std::shared_ptr<File> file = File::open(path, OpenMode::read_only);
  s.format_ = detect_format(*file);
  if (!s.format_) {
    if (starts_like_a_disk_image(*file))
      throw Error(ErrorCode::format,
                  fmt::format("{}: starts like a VHDX or VHD but is not a readable one; check it first "
                              "(vhdchain check), it is not converted as a raw image",
                              path));
    if (file->size() == 0 || file->size() % 512 != 0)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: a raw image of {} bytes: its size must be a positive multiple of 512", path,
                              file->size()));
    s.paths_ = {path};
    s.virtual_size_ = file->size();
    s.raw_ = std::move(file);
    return s;
  }
  file.reset();
  const Chain chain = open_chain(path, options);
  for (const ChainLayer& layer : chain.layers()) {
    s.paths_.push_back(layer.path);
    s.images_.push_back(layer.image);
    s.image_ptrs_.push_back(layer.image.get());
  }
  s.virtual_size_ = chain.virtual_size();
  return s;
}

std::vector<write::CoveredRun> ConvertSource::runs(uint64_t offset, uint64_t length) const {
  if (raw_) return {write::CoveredRun{offset, length, 0, false, offset}};
  return write::covered_runs(image_ptrs_, offset, length);
}

const Reader& ConvertSource::reader(int source) const {
  if (raw_) return *raw_;
  return images_.at(static_cast<size_t>(source))->data();
}

const File* ConvertSource::host_file(int source) const { return dynamic_cast<const File*>(&reader(source)); }

}  // namespace vhdchain::convert
