// Format detection: the one place that decides between the VHDX and VHD parsers.
#include <fmt/format.h>

#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"

namespace vhdchain {
namespace {

bool has_signature(const Reader& file, uint64_t offset, std::string_view signature) {
  if (offset > file.size() || file.size() - offset < signature.size()) return false;
  std::string buf(signature.size(), '\0');
  file.read_at(offset, {reinterpret_cast<uint8_t*>(buf.data()), buf.size()});
  return buf == signature;
}

}  // namespace

std::optional<DiskFormat> detect_format(const Reader& file) {
  if (has_signature(file, 0, "vhdxfile")) return DiskFormat::vhdx;
  const uint64_t size = file.size();
  // VHD: the footer at the end is authoritative; pre-2004 images have a 511-byte footer; a
  // dynamic disk whose last sector is damaged still has its copy at offset 0.
  if (size >= 512 && has_signature(file, size - 512, "conectix")) return DiskFormat::vhd;
  if (size >= 511 && has_signature(file, size - 511, "conectix")) return DiskFormat::vhd;
  if (has_signature(file, 0, "conectix")) return DiskFormat::vhd;
  return std::nullopt;
}

std::unique_ptr<DiskImage> open_image(std::shared_ptr<const Reader> file) {
  auto format = detect_format(*file);
  if (!format)
    throw FormatError(Location{file->name(), "file", 0},
                      "neither a VHDX file identifier ('vhdxfile' at 0) nor a VHD footer ('conectix' at the end or "
                      "at 0) was found: not a VHDX or VHD image");
  return *format == DiskFormat::vhdx ? vhdx::open(std::move(file)) : vhd::open(std::move(file));
}

std::unique_ptr<DiskImage> open_image_file(const std::string& path) {
  std::shared_ptr<const Reader> file = File::open(path, OpenMode::read_only);
  return open_image(std::move(file));
}

}  // namespace vhdchain
