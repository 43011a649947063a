// plan_relink / apply_relink on VHDX children made by the test image builder.
#include <filesystem>

#include <gtest/gtest.h>

#include "cli/check_fixtures.h"
#include "support/sha256.h"
#include "support/testdata.h"
#include "vhdchain/chain.h"
#include "vhdchain/write.h"
#include "write/vhdx/crash_hook.h"
#include "write/vhdx/file_bytes.h"
#include "write/vhdx/write_fixtures.h"
#include "write/vhdx_session.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::pair<std::string, std::string>> locator_of(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto image = open_image_file(path);
  for (const vhdchain::LocatorEntry& e : image->info().parent->locators) out.push_back({e.key, e.value});
  return out;
}

class Relink : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = build_image(vhdx_base_spec(1));
    base_.write(t_ / "base.vhdx");
    fs::create_directories(t_ / "sub");
    base_.write(t_ / "sub" / "base.vhdx");
    std::vector<LocatorEntry> paths;
    for (LocatorEntry& e : hyperv_vhdx_locator(data_write_guid(base_), "base.vhdx", "C:\\VMs", guid_from_seed(9, 9)))
      if (e.key != "parent_linkage") paths.push_back(e);
    child_ = path_of(t_ / "child.avhdx");
    vhdx_child(base_, 2, paths).write(child_);
    content_ = chain_sha256(child_);
  }
  NewParentLink link_to_sub() const {
    NewParentLink link;
    link.linkage = data_write_guid(base_);
    link.paths.relative_path = ".\\sub\\base.vhdx";
    link.paths.absolute_win32_path = "D:\\VMs\\sub\\base.vhdx";
    link.paths.volume_path = "\\\\?\\Volume{00000000-1111-2222-3333-444444444444}\\VMs\\sub\\base.vhdx";
    return link;
  }
  TempDir t_;
  BuiltImage base_;
  std::string child_, content_;
};

TEST_F(Relink, PlanListsEveryKeyInHyperVOrder) {
  const RelinkPlan plan = plan_relink(child_, link_to_sub());
  EXPECT_EQ(plan.format, DiskFormat::vhdx);
  const std::string linkage = data_write_guid(base_).to_braced_string();
  ASSERT_EQ(plan.locators.size(), 5u);
  EXPECT_EQ(plan.locators[0].key, "parent_linkage");
  EXPECT_FALSE(plan.locators[0].changed());
  EXPECT_EQ(plan.locators[0].after, linkage);
  EXPECT_EQ(plan.locators[1].key, "absolute_win32_path");
  EXPECT_EQ(plan.locators[1].before, "C:\\VMs\\base.vhdx");
  EXPECT_EQ(plan.locators[1].after, "D:\\VMs\\sub\\base.vhdx");
  EXPECT_EQ(plan.locators[2].key, "relative_path");
  EXPECT_EQ(plan.locators[2].before, ".\\base.vhdx");
  EXPECT_EQ(plan.locators[2].after, ".\\sub\\base.vhdx");
  EXPECT_EQ(plan.locators[3].key, "volume_path");
  EXPECT_EQ(plan.locators[4].key, "parent_linkage2");
  EXPECT_FALSE(plan.locators[4].changed());
  // The item is the last one in the region: it grows in place and its table entry's length follows.
  ASSERT_EQ(plan.bytes.size(), 2u);
  EXPECT_EQ(plan.bytes[0].structure, "metadata table entry 5 (offset, length)");
  EXPECT_EQ(plan.bytes[1].structure, "metadata item parent locator");
}

TEST_F(Relink, LongerLocatorBlockedByAnotherItemMovesToFreeSpace) {
  // A user item right after the parent locator: the longer locator cannot grow in place.
  ImageSpec spec = build_image(vhdx_child(base_, 3, {{"relative_path", ".\\base.vhdx"}}).spec).spec;
  spec.vhdx.extra_metadata.push_back({guid_from_seed(5, 5), 1u /*IsUser*/, std::vector<uint8_t>(64, 0xEE)});
  const std::string child = path_of(t_ / "blocked.avhdx");
  build_image(spec).write(child);
  const std::string content = chain_sha256(child);
  const RelinkPlan plan = plan_relink(child, link_to_sub());
  ASSERT_EQ(plan.bytes.size(), 3u);
  EXPECT_EQ(plan.bytes[0].structure, "metadata table entry 5 (offset, length)");
  EXPECT_EQ(plan.bytes[1].structure, "old metadata item parent locator (cleared)");
  EXPECT_EQ(plan.bytes[2].structure, "metadata item parent locator");
  EXPECT_EQ(plan.bytes[1].after, std::vector<uint8_t>(plan.bytes[1].before.size(), 0));
  apply_relink(plan);
  EXPECT_EQ(locator_of(child).size(), 4u);  // this child was made without parent_linkage2
  fs::remove(t_ / "base.vhdx");
  EXPECT_EQ(chain_sha256(child), content);
}

TEST_F(Relink, ApplyWritesThePlannedLocatorAndKeepsTheContent) {
  const RelinkPlan plan = plan_relink(child_, link_to_sub());
  const auto data_write_guid_before = open_image_file(child_)->info().data_write_guid;
  apply_relink(plan);
  using KV = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(locator_of(child_),
            (KV{{"parent_linkage", data_write_guid(base_).to_braced_string()},
                {"absolute_win32_path", "D:\\VMs\\sub\\base.vhdx"},
                {"relative_path", ".\\sub\\base.vhdx"},
                {"volume_path", "\\\\?\\Volume{00000000-1111-2222-3333-444444444444}\\VMs\\sub\\base.vhdx"},
                {"parent_linkage2", "{00000000-0000-0000-0000-000000000000}"}}));
  fs::remove(t_ / "base.vhdx");  // only the new relative path can find the parent now
  EXPECT_EQ(chain_sha256(child_), content_);
  // The child's own contents did not change, so neither does the identity its children link to.
  EXPECT_EQ(open_image_file(child_)->info().data_write_guid, data_write_guid_before);
  // Planning again finds nothing to write.
  EXPECT_FALSE(plan_relink(child_, link_to_sub()).changes_anything());
}

TEST_F(Relink, ShorterLocatorIsRewrittenInPlace) {
  NewParentLink link;
  link.linkage = data_write_guid(base_);
  link.paths.relative_path = ".\\base.vhdx";
  const RelinkPlan plan = plan_relink(child_, link);
  ASSERT_EQ(plan.bytes.size(), 2u);
  EXPECT_EQ(plan.bytes[0].structure, "metadata table entry 5 (offset, length)");
  EXPECT_EQ(plan.bytes[1].structure, "metadata item parent locator");
  EXPECT_EQ(plan.locators[1].key, "relative_path");
  EXPECT_FALSE(plan.locators[1].changed());
  EXPECT_EQ(plan.locators[3].key, "absolute_win32_path");
  EXPECT_EQ(plan.locators[3].after, std::nullopt);  // removed
  apply_relink(plan);
  EXPECT_EQ(locator_of(child_).size(), 3u);
  EXPECT_EQ(chain_sha256(child_), content_);
}

TEST_F(Relink, RefusesADiskWithoutParentAndAChangedFile) {
  try {
    plan_relink(path_of(t_ / "base.vhdx"), link_to_sub());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(std::string(e.what()), path_of(t_ / "base.vhdx") + ": is not a differencing disk; it has no parent to set");
  }
  const RelinkPlan plan = plan_relink(child_, link_to_sub());
  NewParentLink other = link_to_sub();
  other.paths.relative_path = ".\\x.vhdx";
  apply_relink(plan_relink(child_, other));
  const std::vector<uint8_t> now = read_file_bytes(child_);
  EXPECT_THROW(apply_relink(plan), Error);
  EXPECT_EQ(read_file_bytes(child_), now);  // nothing written
}

TEST_F(Relink, EveryCrashPointLeavesTheOldOrTheNewLocator) {
  const std::vector<uint8_t> original = read_file_bytes(child_);
  const auto old_locator = locator_of(child_);
  const RelinkPlan plan = plan_relink(child_, link_to_sub());
  apply_relink(plan);
  const auto new_locator = locator_of(child_);
  write_file_bytes(child_, original);
  const uint64_t total = count_io_events([&] { apply_relink(plan); });
  ASSERT_GT(total, 10u);
  for (uint64_t n = 1; n <= total; ++n) {
    write_file_bytes(child_, original);
    run_crashing_after(n, [&] { apply_relink(plan); });
    const auto seen = locator_of(child_);  // read-only: a pending log is replayed in memory
    EXPECT_TRUE(seen == old_locator || seen == new_locator) << "crash after I/O " << n;
    { write::VhdxSession finish(child_); }  // in place
    EXPECT_EQ(locator_of(child_), seen) << n;
    EXPECT_EQ(chain_sha256(child_), content_) << n;
  }
}

}  // namespace
}  // namespace vhdchain::test
