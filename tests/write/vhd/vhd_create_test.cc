// create_vhd: each kind read back by our reader (exact fields and bytes), by qemu-img (fixed and
// dynamic: size and content) and by libvhdi (a differencing child reads as its parent).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "io/fs_ops.h"
#include "support/testdata.h"
#include "vhd_test_support.h"
#include "vhdchain/error.h"
#include "vhdchain/write.h"
#include "write/new_file.h"

namespace vhdchain {
namespace {

using test::file_bytes;

constexpr uint64_t k8MiB = 8 * 1024 * 1024;

CreateOptions options(DiskType type, uint64_t size = k8MiB) {
  CreateOptions o;
  o.format = DiskFormat::vhd;
  o.type = type;
  o.virtual_size = size;
  return o;
}

std::vector<uint8_t> slice(const std::vector<uint8_t>& b, size_t offset, size_t length) {
  return std::vector<uint8_t>(b.begin() + offset, b.begin() + offset + length);
}

std::string error_text(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// 8 MiB = 16384 sectors: CHS 240/4/17 (16320 sectors), as the spec's algorithm gives.
void expect_common_fields(const ImageInfo& info, const std::string& path) {
  EXPECT_EQ(info.format, DiskFormat::vhd);
  EXPECT_EQ(info.virtual_size, k8MiB);
  EXPECT_EQ(info.creator, "win 10.0 (Wi2k)");
  EXPECT_EQ(info.creator_application, "win ");
  EXPECT_EQ(info.creator_version, 0x000A0000u);
  EXPECT_EQ(info.creator_host_os, "Wi2k");
  EXPECT_EQ(info.original_size, k8MiB);
  ASSERT_TRUE(info.geometry);
  EXPECT_EQ(info.geometry->cylinders, 240);
  EXPECT_EQ(info.geometry->heads, 4);
  EXPECT_EQ(info.geometry->sectors_per_track, 17);
  EXPECT_FALSE(info.saved_state);
  ASSERT_EQ(info.notes.size(), 1u);
  EXPECT_EQ(info.notes[0].code, "vhd.chs_size_differs");
  EXPECT_FALSE(io::path_exists(write::NewFile::partial_path_for(path)));
}

TEST(VhdCreate, Fixed) {
  test::TempDir dir;
  const std::string path = (dir / "f.vhd").string();
  const CreateResult r = create_disk(path, options(DiskType::fixed));
  expect_common_fields(r.info, path);
  EXPECT_EQ(r.info.type, DiskType::fixed);
  EXPECT_EQ(r.info.file_size, k8MiB + 512);
  EXPECT_EQ(r.info.block_size, 0u);
  const std::vector<uint8_t> bytes = file_bytes(path);
  ASSERT_EQ(bytes.size(), k8MiB + 512);
  EXPECT_EQ(slice(bytes, 0, k8MiB), std::vector<uint8_t>(k8MiB, 0));
  const std::vector<uint8_t> footer = slice(bytes, k8MiB, 512);
  EXPECT_EQ(slice(footer, 0, 24), (std::vector<uint8_t>{'c', 'o', 'n', 'e', 'c', 't', 'i', 'x', 0, 0, 0, 2, 0, 1, 0,
                                                          0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(slice(footer, 60, 4), (std::vector<uint8_t>{0, 0, 0, 2}));
}

TEST(VhdCreate, Dynamic) {
  test::TempDir dir;
  const std::string path = (dir / "d.vhd").string();
  const CreateResult r = create_disk(path, options(DiskType::dynamic));
  expect_common_fields(r.info, path);
  EXPECT_EQ(r.info.type, DiskType::dynamic);
  EXPECT_EQ(r.info.block_size, 2u * 1024 * 1024);
  // footer copy, dynamic header, BAT of 4 entries padded to 512, footer.
  EXPECT_EQ(r.info.file_size, 512u + 1024 + 512 + 512);
  const std::vector<uint8_t> bytes = file_bytes(path);
  ASSERT_EQ(bytes.size(), 2560u);
  EXPECT_EQ(slice(bytes, 0, 512), slice(bytes, 2048, 512));
  EXPECT_EQ(slice(bytes, 16, 8), (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 2, 0}));  // data offset 512
  EXPECT_EQ(slice(bytes, 512, 8), (std::vector<uint8_t>{'c', 'x', 's', 'p', 'a', 'r', 's', 'e'}));
  EXPECT_EQ(slice(bytes, 512 + 16, 8), (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 6, 0}));  // table offset 1536
  EXPECT_EQ(slice(bytes, 512 + 28, 8), (std::vector<uint8_t>{0, 0, 0, 4, 0, 0x20, 0, 0}));  // 4 entries, 2 MiB
  EXPECT_EQ(slice(bytes, 1536, 16), std::vector<uint8_t>(16, 0xFF));
  EXPECT_EQ(slice(bytes, 1552, 496), std::vector<uint8_t>(496, 0));
  const BlockStats stats = open_image_file(path)->block_stats();
  EXPECT_EQ(stats.payload.at("not_present"), 4u);
}

TEST(VhdCreate, BlockSizeAndRefusals) {
  test::TempDir dir;
  CreateOptions o = options(DiskType::dynamic);
  o.block_size = 512 * 1024;
  EXPECT_EQ(create_disk((dir / "b.vhd").string(), o).info.block_size, 512u * 1024);
  const std::string d = (dir / "x.vhd").string();
  EXPECT_EQ(error_text([&] { create_disk((dir / "b.vhd").string(), o); }),
            (dir / "b.vhd").string() + ": exists; create never replaces a file");
  o.block_size = 3 * 512;
  EXPECT_EQ(error_text([&] { create_disk(d, o); }),
            d + ": block size 1536 is not a power of two from 512 bytes to 256 MiB");
  EXPECT_EQ(error_text([&] { create_disk(d, options(DiskType::dynamic, 1000)); }),
            d + ": virtual size 1000 is not a positive multiple of 512");
  EXPECT_EQ(error_text([&] { create_disk(d, options(DiskType::fixed, 2041ull << 30)); }),
            d + ": virtual size 2191507062784 is more than the 2040 GiB a VHD can hold");
  CreateOptions sectors = options(DiskType::dynamic);
  sectors.logical_sector_size = 4096;
  EXPECT_EQ(error_text([&] { create_disk(d, sectors); }), d + ": VHD has 512-byte sectors only, not 4096");
  EXPECT_EQ(error_text([&] { create_disk(d, options(DiskType::differencing)); }),
            d + ": a differencing disk needs a parent");
  EXPECT_FALSE(io::path_exists(d));
}

// A parent with data from the test image builder.
std::string write_parent(const test::TempDir& dir) {
  const std::string parent = (dir / "parent.vhd").string();
  test::build_image(test::small_dynamic_vhd()).write(parent);
  return parent;
}

CreateOptions child_options(const std::string& parent, bool with_absolute_path = true) {
  CreateOptions o = options(DiskType::differencing, 0);
  o.parent = parent;
  o.parent_paths.relative_path = ".\\parent.vhd";
  if (with_absolute_path) o.parent_paths.absolute_win32_path = "C:\\VMs\\parent.vhd";
  return o;
}

TEST(VhdCreate, DifferencingHyperVLocators) {
  test::TempDir dir;
  const std::string parent = write_parent(dir);
  const std::string child = (dir / "child.vhd").string();
  const CreateOptions o = child_options(parent);
  const CreateResult r = create_disk(child, o);
  const ImageInfo parent_info = open_image_file(parent)->info();
  EXPECT_EQ(r.info.type, DiskType::differencing);
  EXPECT_EQ(r.info.virtual_size, parent_info.virtual_size);
  EXPECT_EQ(r.info.block_size, 2u * 1024 * 1024);
  EXPECT_EQ(r.info.geometry->cylinders, parent_info.geometry->cylinders);
  EXPECT_EQ(r.info.geometry->heads, parent_info.geometry->heads);
  EXPECT_EQ(r.info.geometry->sectors_per_track, parent_info.geometry->sectors_per_track);
  EXPECT_NE(r.info.unique_id, parent_info.unique_id);
  // footer copy, header, BAT (512), W2ku data (4096), W2ru data (65536), footer.
  EXPECT_EQ(r.info.file_size, 2048u + 4096 + 65536 + 512);
  ASSERT_TRUE(r.info.parent);
  const ParentLink& link = *r.info.parent;
  EXPECT_EQ(link.linkage, *parent_info.unique_id);
  EXPECT_EQ(link.timestamp, 0u);
  EXPECT_EQ(link.name, "C:\\VMs\\parent.vhd");
  ASSERT_EQ(link.locators.size(), 2u);
  EXPECT_EQ(link.locators[0].key, "W2ku");
  EXPECT_EQ(link.locators[0].value, "C:\\VMs\\parent.vhd");
  EXPECT_EQ(link.locators[0].data_offset, 2048u);
  EXPECT_EQ(link.locators[0].data_length, 34u);
  EXPECT_EQ(link.locators[0].data_space, 4096u);
  EXPECT_EQ(link.locators[1].key, "W2ru");
  EXPECT_EQ(link.locators[1].value, ".\\parent.vhd");
  EXPECT_EQ(link.locators[1].data_offset, 6144u);
  EXPECT_EQ(link.locators[1].data_length, 24u);
  EXPECT_EQ(link.locators[1].data_space, 65536u);
  const std::vector<uint8_t> bytes = file_bytes(child);
  EXPECT_EQ(slice(bytes, 6144, 6), (std::vector<uint8_t>{'.', 0, '\\', 0, 'p', 0}));  // UTF-16LE
  EXPECT_EQ(slice(bytes, 512 + 64, 6), (std::vector<uint8_t>{0, 'C', 0, ':', 0, '\\'}));  // name UTF-16BE
  EXPECT_EQ(test::chain_sha256(child), test::chain_sha256(parent));
  EXPECT_EQ(test::deep_check_findings(dir.path()),
            (std::vector<std::string>{test::chs_note_finding(child), test::chs_note_finding(parent)}));
}

TEST(VhdCreate, DifferencingWithOnlyARelativePath) {
  test::TempDir dir;
  const std::string parent = write_parent(dir);
  const std::string child = (dir / "child.vhd").string();
  const CreateOptions o = child_options(parent, false);
  const ParentLink link = *create_disk(child, o).info.parent;
  EXPECT_EQ(link.name, ".\\parent.vhd");
  ASSERT_EQ(link.locators.size(), 1u);
  EXPECT_EQ(link.locators[0].key, "W2ru");
  EXPECT_EQ(link.locators[0].data_offset, 2048u);
  EXPECT_EQ(test::chain_sha256(child), test::chain_sha256(parent));

  // No paths given: they are composed from the host paths, as for VHDX (write.h plan_create).
  CreateOptions none = o;
  none.parent_paths = {};
  const std::string other = (dir / "other.vhd").string();
  const ParentLink composed = *create_disk(other, none).info.parent;
  ASSERT_EQ(composed.locators.size(), 1u);
  EXPECT_EQ(composed.locators[0].key, "W2ru");
  EXPECT_EQ(composed.locators[0].value, ".\\parent.vhd");
}

TEST(VhdCreate, VhdxParentIsRefused) {
  test::TempDir dir;
  test::ImageSpec spec;
  spec.virtual_size = k8MiB;
  test::build_image(spec).write(dir / "p.vhdx");
  CreateOptions o = options(DiskType::differencing, 0);
  o.parent = (dir / "p.vhdx").string();
  o.parent_paths.relative_path = ".\\p.vhdx";
  const std::string child = (dir / "c.vhd").string();
  EXPECT_EQ(error_text([&] { create_disk(child, o); }),
            o.parent + ": is a VHDX; a VHD child cannot have a VHDX parent (create a VHDX child instead)");
  EXPECT_FALSE(io::path_exists(child));
}

// qemu-img: the size is the current size (creator "win ") and the content is zeros.
TEST(VhdCreate, QemuImgReadsFixedAndDynamic) {
  VHD_REQUIRE_TOOL(test::have_program("qemu-img"), "qemu-img (qemu-utils)");
  test::TempDir dir;
  const std::string zeros = (dir / "zeros.raw").string();
  ASSERT_EQ(test::run_command("truncate -s " + std::to_string(k8MiB) + " '" + zeros + "'").exit_code, 0);
  for (DiskType type : {DiskType::fixed, DiskType::dynamic}) {
    const std::string path = (dir / (std::string(to_string(type)) + ".vhd")).string();
    create_disk(path, options(type));
    const test::CommandResult info = test::run_command("qemu-img info --output=json -f vpc '" + path + "'");
    ASSERT_EQ(info.exit_code, 0) << info.output;
    EXPECT_NE(info.output.find("\"virtual-size\": 8388608,"), std::string::npos) << info.output;
    const test::CommandResult compare =
        test::run_command("qemu-img compare -f vpc -F raw '" + path + "' '" + zeros + "'");
    EXPECT_EQ(compare.exit_code, 0) << compare.output;
    EXPECT_EQ(compare.output, "Images are identical.\n");
  }
}

// libvhdi: a child created on a parent with data reads as the parent.
TEST(VhdCreate, LibvhdiReadsTheChildAsItsParent) {
  VHD_REQUIRE_TOOL(test::have_pyvhdi(), "pyvhdi (python3-libvhdi for /usr/bin/python3)");
  test::TempDir dir;
  const std::string parent = write_parent(dir);
  const std::string child = (dir / "child.vhd").string();
  const CreateOptions o = child_options(parent);
  create_disk(child, o);
  std::string error;
  const std::string parent_sha = test::libvhdi_sha256(parent, {}, error);
  ASSERT_FALSE(parent_sha.empty()) << error;
  EXPECT_EQ(parent_sha, test::chain_sha256(parent));
  EXPECT_EQ(test::libvhdi_sha256(child, {parent}, error), parent_sha) << error;
}

}  // namespace
}  // namespace vhdchain
