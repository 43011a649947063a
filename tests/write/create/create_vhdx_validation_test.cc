// create_disk / plan_create for VHDX refuse what cannot be made, with messages naming the value.
#include <fstream>

#include <gtest/gtest.h>

#include "support/image_builder.h"
#include "support/testdata.h"
#include "vhdchain/error.h"
#include "vhdchain/write.h"
#include "write/new_file.h"

namespace vhdchain {
namespace {

using test::TempDir;

// The error create_disk throws, after checking nothing was left behind.
Error create_error(const std::filesystem::path& path, const CreateOptions& o) {
  try {
    create_disk(path.string(), o);
  } catch (const Error& e) {
    EXPECT_FALSE(std::filesystem::exists(write::NewFile::partial_path_for(path.string())));
    return e;
  }
  ADD_FAILURE() << "create_disk did not throw";
  return Error(ErrorCode::io, "");
}

CreateOptions dynamic(uint64_t size) {
  CreateOptions o;
  o.virtual_size = size;
  return o;
}

TEST(CreateVhdxValidation, RefusesImpossibleValues) {
  TempDir dir;
  const std::filesystem::path p = dir / "d.vhdx";
  const std::string n = p.string();
  struct Case {
    CreateOptions options;
    std::string message;
  };
  std::vector<Case> cases;
  cases.push_back({dynamic(0), n + ": virtual size 0: give the size of the disk"});
  cases.push_back({dynamic(1000), n + ": virtual size 1000 is not a multiple of the logical sector size 512"});
  CreateOptions c = dynamic(512 * 3);
  c.logical_sector_size = 4096;
  cases.push_back({c, n + ": virtual size 1536 is not a multiple of the logical sector size 4096"});
  cases.push_back({dynamic(64 * kTiB + 512),
                   n + ": virtual size 70368744178176 is larger than the VHDX maximum, 64 TiB (70368744177664)"});
  c = dynamic(kMiB);
  c.block_size = 3 * kMiB;
  cases.push_back({c, n + ": block size 3145728 is not a power of two from 1 MiB to 256 MiB"});
  c.block_size = 512 * kKiB;
  cases.push_back({c, n + ": block size 524288 is not a power of two from 1 MiB to 256 MiB"});
  c.block_size = 512 * kMiB;
  cases.push_back({c, n + ": block size 536870912 is not a power of two from 1 MiB to 256 MiB"});
  c = dynamic(kMiB);
  c.logical_sector_size = 1024;
  cases.push_back({c, n + ": logical sector size 1024: VHDX allows 512 or 4096"});
  c = dynamic(kMiB);
  c.physical_sector_size = 2048;
  cases.push_back({c, n + ": physical sector size 2048: VHDX allows 512 or 4096"});
  c = dynamic(kMiB);
  c.type = DiskType::differencing;
  cases.push_back({c, n + ": a differencing disk needs a parent"});
  c = dynamic(kMiB);
  c.parent = (dir / "base.vhdx").string();
  cases.push_back({c, n + ": a parent was given for a dynamic disk (only differencing disks have one)"});
  for (const Case& k : cases) {
    const Error e = create_error(p, k.options);
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument) << k.message;
    EXPECT_EQ(std::string(e.what()), k.message);
    EXPECT_FALSE(std::filesystem::exists(p));
  }
}

TEST(CreateVhdxValidation, NeverReplacesAFile) {
  TempDir dir;
  const std::filesystem::path p = dir / "d.vhdx";
  { std::ofstream(p) << "precious"; }
  const Error e = create_error(p, dynamic(kMiB));
  EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  EXPECT_EQ(std::string(e.what()), p.string() + ": exists; create never replaces a file");
  EXPECT_EQ(std::filesystem::file_size(p), 8u);
}

TEST(CreateVhdxValidation, ChildTakesItsParentsValuesAndRefusesOthers) {
  TempDir dir;
  CreateOptions base = dynamic(64 * kMiB);
  base.logical_sector_size = 4096;
  base.physical_sector_size = 512;
  create_disk((dir / "base.vhdx").string(), base);
  const std::filesystem::path p = dir / "c.avhdx";
  CreateOptions child;
  child.type = DiskType::differencing;
  child.parent = (dir / "base.vhdx").string();

  CreateOptions wrong = child;
  wrong.virtual_size = 32 * kMiB;
  EXPECT_STREQ(create_error(p, wrong).what(),
               (p.string() + ": virtual size 33554432 conflicts with the parent's 67108864 (a differencing disk takes "
                             "it from its parent)").c_str());
  wrong = child;
  wrong.logical_sector_size = 512;
  EXPECT_STREQ(create_error(p, wrong).what(),
               (p.string() + ": logical sector size 512 conflicts with the parent's 4096 (a differencing disk takes "
                             "it from its parent)").c_str());
  wrong = child;
  wrong.physical_sector_size = 4096;
  EXPECT_STREQ(create_error(p, wrong).what(),
               (p.string() + ": physical sector size 4096 conflicts with the parent's 512 (a differencing disk takes "
                             "it from its parent)").c_str());

  CreateOptions same = child;
  same.virtual_size = 64 * kMiB;
  same.logical_sector_size = 4096;
  const ImageInfo info = create_disk(p.string(), same).info;
  EXPECT_EQ(info.virtual_size, 64 * kMiB);
  EXPECT_EQ(info.logical_sector_size, 4096u);
  EXPECT_EQ(info.physical_sector_size, 512u);
}

TEST(CreateVhdxValidation, RefusesMissingAndVhdParents) {
  TempDir dir;
  const std::filesystem::path p = dir / "c.avhdx";
  CreateOptions child;
  child.type = DiskType::differencing;
  child.parent = (dir / "nothing.vhdx").string();
  Error e = create_error(p, child);
  EXPECT_EQ(e.code(), ErrorCode::parent_missing);
  EXPECT_EQ(std::string(e.what()), child.parent + ": the parent does not exist");

  test::ImageSpec vhd;
  vhd.format = test::Format::vhd;
  test::build_image(vhd).write(dir / "base.vhd");
  child.parent = (dir / "base.vhd").string();
  e = create_error(p, child);
  EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
  EXPECT_EQ(std::string(e.what()), p.string() + ": the parent " + child.parent +
                                       " is a VHD; Hyper-V never makes a VHDX child of a VHD (create a .vhd child)");

  { std::ofstream(dir / "junk.vhdx") << std::string(70000, 'x'); }
  child.parent = (dir / "junk.vhdx").string();
  EXPECT_EQ(create_error(p, child).code(), ErrorCode::format);
  EXPECT_FALSE(std::filesystem::exists(p));
}

// Explicit paths are stored as given, in Hyper-V's key order; none at all is refused.
TEST(CreateVhdxValidation, StoresGivenPathsInHyperVsOrder) {
  TempDir dir;
  const ImageInfo base = create_disk((dir / "base.vhdx").string(), dynamic(8 * kMiB)).info;
  CreateOptions child;
  child.type = DiskType::differencing;
  child.parent = (dir / "base.vhdx").string();
  child.parent_paths.relative_path = "..\\VMs\\base.vhdx";
  child.parent_paths.absolute_win32_path = "D:\\VMs\\base.vhdx";
  child.parent_paths.volume_path = "\\\\?\\Volume{0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9}\\VMs\\base.vhdx";
  const CreatePlan plan = plan_create((dir / "c.avhdx").string(), child);
  std::vector<std::pair<std::string, std::string>> got;
  for (const LocatorEntry& e : plan.parent_locator) got.emplace_back(e.key, e.value);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"parent_linkage", base.data_write_guid->to_braced_string()},
      {"absolute_win32_path", "D:\\VMs\\base.vhdx"},
      {"relative_path", "..\\VMs\\base.vhdx"},
      {"volume_path", "\\\\?\\Volume{0eba351e-5634-46d6-a8cf-4ddc2d6ac0b9}\\VMs\\base.vhdx"},
      {"parent_linkage2", "{00000000-0000-0000-0000-000000000000}"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(plan.parent_identity, base.data_write_guid);
  EXPECT_EQ(plan.virtual_disk_id, base.virtual_disk_id);
  const ImageInfo info = create_disk((dir / "c.avhdx").string(), child).info;
  ASSERT_EQ(info.parent->locators.size(), 5u);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(info.parent->locators[i].key, want[i].first);
    EXPECT_EQ(info.parent->locators[i].value, want[i].second);
  }
}

}  // namespace
}  // namespace vhdchain
