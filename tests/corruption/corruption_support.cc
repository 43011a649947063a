// Base images and outcome capture for the corruption suite (see corruption_support.h).
#include "corruption_support.h"

#include <gtest/gtest.h>

#include "vhdchain/memory_reader.h"

namespace vhdchain::test {

const Guid kLogGuid = guid_from_seed(0x6c6f67, 7);

ImageSpec vhdx_dynamic_spec() {
  ImageSpec spec;
  spec.virtual_size = 8 * kMiB;
  spec.block_size = kMiB;
  spec.blocks[0] = BlockSpec::full();
  spec.blocks[2] = BlockSpec::full();
  spec.blocks[5] = BlockSpec::with_state(BlockState::zero);
  spec.blocks[6] = BlockSpec::with_state(BlockState::unmapped);
  return spec;
}

ImageSpec vhdx_pending_log_spec() {
  ImageSpec spec = vhdx_dynamic_spec();
  VhdxLogSpec log;
  log.log_guid = kLogGuid;
  log.pending_blocks[2] = BlockState::not_present;
  spec.vhdx.log = log;
  return spec;
}

BuiltChain vhdx_differencing_chain() {
  ImageSpec base;
  base.virtual_size = 8 * kMiB;
  base.block_size = kMiB;
  ImageSpec child;
  child.virtual_size = 0;
  child.block_size = kMiB;
  child.seed = 2;
  child.blocks[0] = BlockSpec::partial({{0, 8}, {100, 1}});
  child.blocks[1] = BlockSpec::full();
  child.blocks[3] = BlockSpec::with_state(BlockState::zero);
  return build_chain({{{base, "base.vhdx"}, {child, "base_1.avhdx"}}});
}

BuiltImage vhdx_differencing_with_locator(std::vector<LocatorEntry> locator) {
  ImageSpec child;
  child.type = DiskType::differencing;
  child.virtual_size = 8 * kMiB;
  child.block_size = kMiB;
  child.blocks[1] = BlockSpec::full();
  child.vhdx.parent_locator = std::move(locator);
  return build_image(child);
}

ImageSpec vhd_dynamic_spec() {
  ImageSpec spec;
  spec.format = Format::vhd;
  spec.virtual_size = 240 * 4 * 17 * 512;
  spec.block_size = 2 * kMiB;
  spec.blocks[0] = BlockSpec::full();
  spec.blocks[2] = BlockSpec::partial({{0, 8}, {100, 1}});
  return spec;
}

ImageSpec vhd_fixed_spec() {
  ImageSpec spec = vhd_dynamic_spec();
  spec.type = DiskType::fixed;
  return spec;
}

BuiltChain vhd_differencing_chain() {
  ImageSpec base = vhd_dynamic_spec();
  base.blocks.clear();
  ImageSpec child = vhd_dynamic_spec();
  child.seed = 2;
  child.virtual_size = 0;
  return build_chain({{{base, "base.vhd"}, {child, "base_1.avhd"}}});
}

std::string image_name(const BuiltImage& img) { return img.spec.format == Format::vhdx ? "img.vhdx" : "img.vhd"; }

std::shared_ptr<const Reader> reader_of(const BuiltImage& img) {
  return std::make_shared<MemoryReader>(img.bytes(), image_name(img));
}

std::shared_ptr<const Reader> reader_of(const BuiltImage& img, uint64_t size) {
  SparseFile cut = img.file;
  cut.resize(size);
  return std::make_shared<MemoryReader>(cut.to_vector(), image_name(img));
}

namespace {

class SparseReader final : public Reader {
 public:
  SparseReader(SparseFile file, std::string name) : file_(std::move(file)), name_(std::move(name)) {}
  uint64_t size() const override { return file_.size(); }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override {
    if (offset > file_.size() || out.size() > file_.size() - offset)
      throw Error(ErrorCode::invalid_argument, name_ + ": read past the end of the file");
    file_.read(offset, out);
  }
  const std::string& name() const override { return name_; }

 private:
  SparseFile file_;
  std::string name_;
};

}  // namespace

std::shared_ptr<const Reader> sparse_reader_of(const BuiltImage& img) {
  return std::make_shared<SparseReader>(img.file, image_name(img));
}

std::shared_ptr<const Reader> reader_of(std::vector<uint8_t> bytes, std::string name) {
  return std::make_shared<MemoryReader>(std::move(bytes), std::move(name));
}

Failure open_failure(const BuiltImage& img) { return open_failure(reader_of(img)); }

Failure open_failure(std::shared_ptr<const Reader> file) {
  try {
    open_image(std::move(file));
  } catch (const Error& e) {
    return {e.what(), e.code()};
  }
  return {"<no error>"};
}

Failure first_use_failure(const BuiltImage& img) { return first_use_failure(reader_of(img)); }

Failure first_use_failure(std::shared_ptr<const Reader> file) {
  std::unique_ptr<DiskImage> image;
  try {
    image = open_image(std::move(file));
  } catch (const Error& e) {
    return {std::string("<open failed> ") + e.what(), e.code()};
  }
  Failure first;
  try {
    image->block_stats();
    return {"<no error>"};
  } catch (const Error& e) {
    first = {e.what(), e.code()};
  }
  try {
    image->map(0, 1);
    ADD_FAILURE() << "map() succeeded after block_stats() failed with: " << first.message;
  } catch (const Error& e) {
    EXPECT_EQ(e.what(), first.message) << "a second use must throw the same error";
  }
  return first;
}

NoteList notes_of(const ImageInfo& info) {
  NoteList out;
  for (const Note& n : info.notes) out.emplace_back(n.code, n.message);
  return out;
}

std::vector<uint8_t> read_disk(const DiskImage& image) {
  image.block_stats();
  const uint64_t size = image.info().virtual_size;
  std::vector<uint8_t> out(size, 0);
  for (uint64_t pos = 0; pos < size;) {
    const vhdchain::Extent e = image.map(pos, size - pos);
    if (e.virtual_offset != pos || e.length == 0 || e.length > size - pos) {
      ADD_FAILURE() << "map(" << pos << ") returned a bad run";
      break;
    }
    if (e.source == ExtentSource::data)
      image.data().read_at(e.file_offset, std::span<uint8_t>(out.data() + pos, e.length));
    pos += e.length;
  }
  return out;
}

std::vector<uint8_t> expected_disk(const ImageSpec& spec) { return expected_content(std::span(&spec, 1), 0); }

std::vector<uint8_t> expected_disk(const BuiltChain& chain) {
  const std::vector<ImageSpec> specs = chain.specs();
  return expected_content(specs, specs.size() - 1);
}

namespace {

std::vector<uint8_t> field(const BuiltImage& img, std::string_view structure, uint64_t offset, size_t width) {
  return img.file.read(img.layout.offset(structure) + offset, width);
}

}  // namespace

uint32_t read_le32(const BuiltImage& img, std::string_view s, uint64_t off) {
  const std::vector<uint8_t> b = field(img, s, off, 4);
  return uint32_t(b[3]) << 24 | uint32_t(b[2]) << 16 | uint32_t(b[1]) << 8 | b[0];
}

uint64_t read_le64(const BuiltImage& img, std::string_view s, uint64_t off) {
  const std::vector<uint8_t> b = field(img, s, off, 8);
  uint64_t v = 0;
  for (size_t i = 8; i-- > 0;) v = v << 8 | b[i];
  return v;
}

uint32_t read_be32(const BuiltImage& img, std::string_view s, uint64_t off) {
  const std::vector<uint8_t> b = field(img, s, off, 4);
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
}

uint64_t read_be64(const BuiltImage& img, std::string_view s, uint64_t off) {
  return uint64_t(read_be32(img, s, off)) << 32 | read_be32(img, s, off + 4);
}

}  // namespace vhdchain::test
