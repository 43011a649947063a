// plan_vhd_relink / apply_vhd_relink on children from the test image builder: the exact key and
// byte changes, the relinked chain read by our chain code and by libvhdi, a path too long for its
// old space moved to the end of the file, and the refusals.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "base/utf16.h"
#include "io/fs_ops.h"
#include "support/testdata.h"
#include "vhd_test_support.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"
#include "vhdchain/write.h"

namespace vhdchain {
namespace {

using test::file_bytes;

const Guid kBaseId = test::guid_from_seed(0xba5e, 1);
constexpr std::string_view kOldDir = "C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks";

// base.vhd (dynamic, data) <- child.vhd (differencing, its own data in block 1), linked as Hyper-V
// links them. With small_spaces the locators get only their data rounded up to 512 bytes.
test::BuiltChain vhd_chain(bool small_spaces = false) {
  test::ChainSpec chain;
  test::ImageSpec base = test::small_dynamic_vhd(3);
  base.vhd.unique_id = kBaseId;
  test::ImageSpec child;
  child.format = test::Format::vhd;
  child.virtual_size = 0;
  child.seed = 9;
  child.blocks[1] = test::BlockSpec::partial({{4, 4}});
  if (small_spaces) {
    test::set_hyperv_vhd_parent(child.vhd, kBaseId, "base.vhd", kOldDir);
    for (test::VhdLocator& l : child.vhd.locators) l.space = 0;
  }
  chain.layers = {{base, "base.vhd"}, {child, "child.vhd"}};
  return test::build_chain(chain);
}

struct Written {
  test::TempDir dir;
  std::string base = (dir / "base.vhd").string();
  std::string child = (dir / "child.vhd").string();
  explicit Written(bool small_spaces = false) { vhd_chain(small_spaces).write(dir.path()); }
  // Moves the parent to new-base.vhd: the child's locators are now stale.
  std::string move_parent() {
    const std::string moved = (dir / "new-base.vhd").string();
    std::filesystem::rename(base, moved);
    return moved;
  }
};

NewParentLink link_to(const std::string& relative, std::optional<std::string> absolute) {
  NewParentLink link;
  link.linkage = kBaseId;
  link.paths.relative_path = relative;
  link.paths.absolute_win32_path = std::move(absolute);
  return link;
}

std::vector<uint8_t> u16le(const std::string& s) { return utf8_to_utf16(s, Endian::little); }

// The header the relink must write, built here from the old bytes by field offsets.
std::vector<uint8_t> expected_header(std::vector<uint8_t> h, const std::string& name, uint32_t w2ku_length,
                                     uint32_t w2ru_length) {
  std::fill(h.begin() + 64, h.begin() + 576, 0);
  const std::vector<uint8_t> be = utf8_to_utf16(name, Endian::big);
  std::copy(be.begin(), be.end(), h.begin() + 64);
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) h[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  };
  put32(576 + 8, w2ku_length);
  put32(576 + 24 + 8, w2ru_length);
  put32(36, 0);
  uint32_t sum = 0;
  for (uint8_t b : h) sum += b;
  put32(36, ~sum);
  return h;
}

std::vector<uint8_t> padded(std::vector<uint8_t> v, size_t size) {
  v.resize(size, 0);
  return v;
}

TEST(VhdRelink, PlanIsExactAndApplyRelinksTheChain) {
  Written w;
  const std::string content = test::chain_sha256(w.child);
  const std::vector<uint8_t> before = file_bytes(w.child);
  const ImageInfo old_info = open_image_file(w.child)->info();
  const LocatorEntry old_w2ku = old_info.parent->locators[0];
  const LocatorEntry old_w2ru = old_info.parent->locators[1];
  w.move_parent();

  const RelinkPlan plan = plan_relink(w.child, link_to(".\\new-base.vhd", "C:\\VMs\\new-base.vhd"));
  EXPECT_EQ(plan.child, w.child);
  EXPECT_EQ(plan.format, DiskFormat::vhd);
  const std::string old_absolute = std::string(kOldDir) + "\\base.vhd";
  const std::vector<LocatorChange> want_keys = {
      {"parent_unique_id", kBaseId.to_string(), kBaseId.to_string()},
      {"parent_timestamp", "0", "0"},
      {"parent_unicode_name", old_absolute, "C:\\VMs\\new-base.vhd"},
      {"W2ku", old_absolute, "C:\\VMs\\new-base.vhd"},
      {"W2ru", ".\\base.vhd", ".\\new-base.vhd"},
  };
  ASSERT_EQ(plan.locators.size(), want_keys.size());
  for (size_t i = 0; i < want_keys.size(); ++i) {
    EXPECT_EQ(plan.locators[i].key, want_keys[i].key);
    EXPECT_EQ(plan.locators[i].before, want_keys[i].before) << want_keys[i].key;
    EXPECT_EQ(plan.locators[i].after, want_keys[i].after) << want_keys[i].key;
  }
  EXPECT_FALSE(plan.locators[0].changed());
  EXPECT_TRUE(plan.locators[4].changed());

  // The header, then each locator's data in its own space (new data, zeros over the rest of the old).
  ASSERT_EQ(plan.bytes.size(), 3u);
  const std::vector<uint8_t> old_header(before.begin() + 512, before.begin() + 1536);
  EXPECT_EQ(plan.bytes[0].offset, 512u);
  EXPECT_EQ(plan.bytes[0].structure, "dynamic header");
  EXPECT_EQ(plan.bytes[0].before, old_header);
  EXPECT_EQ(plan.bytes[0].after, expected_header(old_header, "C:\\VMs\\new-base.vhd", 38, 28));
  EXPECT_EQ(plan.bytes[1].offset, old_w2ku.data_offset);
  EXPECT_EQ(plan.bytes[1].structure, "parent locator entry 0 data (W2ku)");
  EXPECT_EQ(plan.bytes[1].before, u16le(old_absolute));
  EXPECT_EQ(plan.bytes[1].after, padded(u16le("C:\\VMs\\new-base.vhd"), old_w2ku.data_length));
  EXPECT_EQ(plan.bytes[2].offset, old_w2ru.data_offset);
  EXPECT_EQ(plan.bytes[2].structure, "parent locator entry 1 data (W2ru)");
  EXPECT_EQ(plan.bytes[2].before, padded(u16le(".\\base.vhd"), 28));  // as long as what is written
  EXPECT_EQ(plan.bytes[2].after, u16le(".\\new-base.vhd"));

  EXPECT_EQ(file_bytes(w.child), before);  // planning writes nothing
  apply_relink(plan);
  EXPECT_FALSE(io::path_exists(vhd_journal_path(w.child)));
  std::vector<uint8_t> after = before;
  for (const ByteChange& c : plan.bytes) std::copy(c.after.begin(), c.after.end(), after.begin() + c.offset);
  EXPECT_EQ(file_bytes(w.child), after);

  const ImageInfo info = open_image_file(w.child)->info();
  EXPECT_EQ(info.notes.size(), old_info.notes.size());
  EXPECT_EQ(info.parent->name, "C:\\VMs\\new-base.vhd");
  EXPECT_EQ(test::chain_sha256(w.child), content);
  EXPECT_EQ(test::deep_check_findings(w.dir.path()),
            (std::vector<std::string>{test::chs_note_finding(w.child), test::chs_note_finding(w.dir / "new-base.vhd")}));

  // The same link again changes nothing and writes nothing.
  const RelinkPlan again = plan_relink(w.child, link_to(".\\new-base.vhd", "C:\\VMs\\new-base.vhd"));
  EXPECT_FALSE(again.changes_anything());
  for (const LocatorChange& c : again.locators) EXPECT_FALSE(c.changed()) << c.key;
  apply_relink(again);
  EXPECT_EQ(file_bytes(w.child), after);
}

TEST(VhdRelink, TooLongForItsSpaceMovesToTheEnd) {
  Written w(/*small_spaces=*/true);
  const std::string content = test::chain_sha256(w.child);
  const std::vector<uint8_t> before = file_bytes(w.child);
  w.move_parent();
  // 300 characters: 600 bytes of UTF-16, more than the 512 the W2ku entry has.
  const std::string absolute = "C:\\VMs\\" + std::string(281, 'd') + "\\new-base.vhd";
  ASSERT_EQ(absolute.size(), 301u);
  const RelinkPlan plan = plan_relink(w.child, link_to(".\\new-base.vhd", absolute));
  ASSERT_EQ(plan.locators.size(), 5u);
  EXPECT_EQ(plan.locators[2].after, "new-base.vhd");  // the unicode name holds 256 units: file name only
  EXPECT_EQ(plan.locators[3].after, absolute);

  const uint64_t old_footer = before.size() - 512;
  ASSERT_EQ(plan.bytes.size(), 4u);
  EXPECT_EQ(plan.bytes[0].structure, "dynamic header");
  EXPECT_EQ(plan.bytes[1].structure, "parent locator entry 1 data (W2ru)");  // fits: stays
  EXPECT_EQ(plan.bytes[2].structure, "parent locator entry 0 data (W2ku)");
  EXPECT_EQ(plan.bytes[2].offset, old_footer);
  EXPECT_EQ(plan.bytes[2].before, std::vector<uint8_t>(before.end() - 512, before.end()));  // the old footer
  EXPECT_EQ(plan.bytes[2].after, padded(u16le(absolute), 4096));
  EXPECT_EQ(plan.bytes[3].structure, "footer");
  EXPECT_EQ(plan.bytes[3].offset, old_footer + 4096);
  EXPECT_TRUE(plan.bytes[3].before.empty());
  EXPECT_EQ(plan.bytes[3].after, std::vector<uint8_t>(before.end() - 512, before.end()));

  apply_relink(plan);
  const ImageInfo info = open_image_file(w.child)->info();
  EXPECT_EQ(info.file_size, before.size() + 4096);
  EXPECT_EQ(info.parent->locators[0].key, "W2ku");
  EXPECT_EQ(info.parent->locators[0].value, absolute);
  EXPECT_EQ(info.parent->locators[0].data_offset, old_footer);
  EXPECT_EQ(info.parent->locators[0].data_space, 4096u);
  EXPECT_EQ(test::chain_sha256(w.child), content);
  EXPECT_EQ(test::deep_check_findings(w.dir.path()),
            (std::vector<std::string>{test::chs_note_finding(w.child), test::chs_note_finding(w.dir / "new-base.vhd")}));

  if (!test::have_pyvhdi()) {
    if (test::tools_required()) FAIL() << "pyvhdi is missing (required: CI)";
    GTEST_SKIP() << "pyvhdi is not installed: libvhdi cross-check skipped";
  }
  std::string error;
  EXPECT_EQ(test::libvhdi_sha256(w.child, {(w.dir / "new-base.vhd").string()}, error), content) << error;
}

TEST(VhdRelink, OnlyARelativePathRemovesTheStaleAbsoluteOne) {
  Written w;
  const std::string content = test::chain_sha256(w.child);
  w.move_parent();
  const RelinkPlan plan = plan_relink(w.child, link_to(".\\new-base.vhd", std::nullopt));
  ASSERT_EQ(plan.locators.size(), 5u);
  EXPECT_EQ(plan.locators[2].after, ".\\new-base.vhd");
  EXPECT_EQ(plan.locators[3].key, "W2ku");
  EXPECT_EQ(plan.locators[3].after, std::nullopt);  // removed: it names the old place
  EXPECT_EQ(plan.locators[4].key, "W2ru");
  EXPECT_EQ(plan.locators[4].before, ".\\base.vhd");
  EXPECT_EQ(plan.locators[4].after, ".\\new-base.vhd");
  apply_relink(plan);
  const ImageInfo info = open_image_file(w.child)->info();
  ASSERT_EQ(info.parent->locators.size(), 1u);
  EXPECT_EQ(info.parent->locators[0].value, ".\\new-base.vhd");
  EXPECT_EQ(test::chain_sha256(w.child), content);
}

TEST(VhdRelink, LibvhdiReadsTheRelinkedChild) {
  VHD_REQUIRE_TOOL(test::have_pyvhdi(), "pyvhdi (python3-libvhdi for /usr/bin/python3)");
  Written w;
  const std::string content = test::chain_sha256(w.child);
  const std::string moved = w.move_parent();
  apply_relink(plan_relink(w.child, link_to(".\\new-base.vhd", "C:\\VMs\\new-base.vhd")));
  std::string error;
  EXPECT_EQ(test::libvhdi_sha256(w.child, {moved}, error), content) << error;
}

TEST(VhdRelink, ChangedSincePlannedIsRefused) {
  Written w;
  const RelinkPlan plan = plan_relink(w.child, link_to(".\\new-base.vhd", "C:\\VMs\\new-base.vhd"));
  std::vector<uint8_t> bytes = file_bytes(w.child);
  bytes[512 + 64 + 1] ^= 1;  // the parent name changed behind our back
  test::write_bytes(w.child, bytes);
  try {
    apply_relink(plan);
    FAIL() << "applied";
  } catch (const Error& e) {
    // The write preflight (issue 13) validates the child before the plan is compared with it: a
    // header changed without its checksum is a corrupt file, refused as such. (A change the file
    // stays valid with is still caught by the comparison: Relink.RefusesADiskWithoutParentAndAChangedFile.)
    EXPECT_EQ(e.code(), ErrorCode::refused);
    EXPECT_EQ(std::string(e.what()), w.child + ": dynamic header @0x200: checksum 0xffffd1ca does not match computed 0xffffd1cb");
  }
  EXPECT_EQ(file_bytes(w.child), bytes);
  EXPECT_FALSE(io::path_exists(vhd_journal_path(w.child)));
}

TEST(VhdRelink, TimestampAndLinkage) {
  Written w;
  NewParentLink link = link_to(".\\base.vhd", "C:\\VMs\\base.vhd");
  link.vhd_parent_timestamp = 0x2D000001;
  RelinkPlan plan = plan_relink(w.child, link);
  EXPECT_EQ(plan.locators[1].after, std::to_string(0x2D000001));
  // A new identity (set-parent --ignore-id-mismatch) without a time stamp: Hyper-V's 0.
  link.linkage = test::guid_from_seed(0xbeef, 2);
  link.vhd_parent_timestamp.reset();
  plan = plan_relink(w.child, link);
  EXPECT_EQ(plan.locators[0].after, link.linkage.to_string());
  EXPECT_EQ(plan.locators[1].after, "0");
  apply_relink(plan);
  EXPECT_EQ(open_image_file(w.child)->info().parent->linkage, link.linkage);
}

TEST(VhdRelink, ALockedChildIsRefused) {
  Written w;
  const std::vector<uint8_t> before = file_bytes(w.child);
  const RelinkPlan plan = plan_relink(w.child, link_to(".\\new-base.vhd", std::nullopt));
  auto holder = File::open(w.child, OpenMode::read_write);  // another writer holds the lock
  try {
    apply_relink(plan);
    FAIL() << "applied";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::refused) << e.what();  // the write preflight's refusal (issue 13)
    EXPECT_EQ(std::string(e.what()), w.child + ": is locked by another process");
  }
  holder.reset();
  EXPECT_EQ(file_bytes(w.child), before);
  EXPECT_FALSE(io::path_exists(vhd_journal_path(w.child)));
}

TEST(VhdRelink, Refusals) {
  Written w;
  try {
    plan_relink(w.base, link_to(".\\x.vhd", std::nullopt));
    FAIL() << "planned";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), w.base + ": is not a differencing disk; it has no parent to re-point");
  }
  test::write_bytes(vhd_journal_path(w.child), {1, 2, 3});
  try {
    plan_relink(w.child, link_to(".\\x.vhd", std::nullopt));
    FAIL() << "planned";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), w.child + ": has a pending change (" + vhd_journal_path(w.child) +
                                         "); replay it first (vhdchain repair --replay-log)");
  }
}

}  // namespace
}  // namespace vhdchain
