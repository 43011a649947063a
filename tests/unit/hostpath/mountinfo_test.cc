// parse_mountinfo on fixtures: fields, octal escapes, optional fields, malformed lines.
#include <gtest/gtest.h>

#include "unit/hostpath/fixtures.h"
#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

TEST(HostpathMountinfo, ParsesEveryField) {
  MountTable t = parse_mountinfo(test::kMountInfo);
  ASSERT_EQ(t.entries.size(), 13u);
  const MountEntry& root = t.entries[0];
  EXPECT_EQ(root.mount_id, 21u);
  EXPECT_EQ(root.parent_id, 1u);
  EXPECT_EQ(root.major, 254u);
  EXPECT_EQ(root.minor, 1u);
  EXPECT_EQ(root.device(), "254:1");
  EXPECT_EQ(root.root, "/");
  EXPECT_EQ(root.mount_point, "/");
  EXPECT_EQ(root.mount_options, "rw,relatime");
  EXPECT_EQ(root.optional_fields, std::vector<std::string>{"shared:1"});
  EXPECT_EQ(root.fs_type, "ext4");
  EXPECT_EQ(root.source, "/dev/vda1");
  EXPECT_EQ(root.super_options, "rw,errors=remount-ro");

  const MountEntry& fuse = t.entries[4];
  EXPECT_TRUE(fuse.optional_fields.empty());
  EXPECT_EQ(fuse.fs_type, "fuseblk");
  EXPECT_EQ(fuse.device(), "8:2");

  const MountEntry& odd = t.entries[10];
  EXPECT_EQ(odd.optional_fields, (std::vector<std::string>{"master:7", "propagate_from:2"}));
  EXPECT_EQ(odd.source, "none");
}

TEST(HostpathMountinfo, DecodesOctalEscapes) {
  MountTable t = parse_mountinfo(test::kMountInfo);
  EXPECT_EQ(t.entries[2].root, "/srv/src/sub");
  EXPECT_EQ(t.entries[2].mount_point, "/srv/dst x");
  EXPECT_EQ(t.entries[9].mount_point, "/mnt/tab\tand\\back");
  EXPECT_EQ(t.entries[9].source, "tmp fs");
  // A backslash not followed by three octal digits is not an escape.
  EXPECT_EQ(t.entries[10].mount_point, "/mnt/odd\\9x");
}

TEST(HostpathMountinfo, BindMountsKeepTheirRootAndDevice) {
  MountTable t = parse_mountinfo(test::kMountInfo);
  // Three mounts of 254:1: the whole filesystem twice, one subtree once.
  std::vector<std::pair<std::string, std::string>> of_root;
  for (const MountEntry& e : t.entries)
    if (e.device() == "254:1") of_root.emplace_back(e.root, e.mount_point);
  EXPECT_EQ(of_root, (std::vector<std::pair<std::string, std::string>>{
                         {"/", "/"}, {"/srv/src/sub", "/srv/dst x"}, {"/", "/mnt/rootbind"}}));
}

TEST(HostpathMountinfo, ToleratesCrlfBlankLinesAndNoTrailingNewline) {
  MountTable t = parse_mountinfo("\n21 1 8:1 / / rw - ext4 /dev/sda1 rw\r\n\r\n22 21 0:5 / /dev rw - devtmpfs udev rw");
  ASSERT_EQ(t.entries.size(), 2u);
  EXPECT_EQ(t.entries[0].super_options, "rw");
  EXPECT_EQ(t.entries[1].mount_point, "/dev");
  EXPECT_EQ(t.entries[1].super_options, "rw");
}

TEST(HostpathMountinfo, KeepsAnEmptySourceInItsPlace) {
  MountTable t = parse_mountinfo("90 21 0:60 / /mnt/e rw - tmpfs  rw,size=4k\n");
  ASSERT_EQ(t.entries.size(), 1u);
  EXPECT_EQ(t.entries[0].fs_type, "tmpfs");
  EXPECT_EQ(t.entries[0].source, "");
  EXPECT_EQ(t.entries[0].super_options, "rw,size=4k");
}

TEST(HostpathMountinfo, NormalisesPaths) {
  MountTable t = parse_mountinfo("5 1 8:1 /a/../b/ /mnt//x/ rw - ext4 /dev/sda1 rw\n");
  ASSERT_EQ(t.entries.size(), 1u);
  EXPECT_EQ(t.entries[0].root, "/b");
  EXPECT_EQ(t.entries[0].mount_point, "/mnt/x");
}

TEST(HostpathMountinfo, EmptyTextIsAnEmptyTable) { EXPECT_TRUE(parse_mountinfo("").entries.empty()); }

void expect_error(std::string_view text, const std::string& message) {
  try {
    parse_mountinfo(text, "fixture");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::format);
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(HostpathMountinfo, MalformedLinesNameTheLine) {
  expect_error("21 1 8:1 / / rw - ext4 /dev/sda1 rw\n22 21 8:1 / /x rw ext4 /dev/sda1 rw\n",
               "fixture: line 2: the \"-\" separator before the filesystem type is missing");
  expect_error("21 1 8:1 / / rw -\n", "fixture: line 1: the filesystem type or source after \"-\" is missing");
  expect_error("2x 1 8:1 / / rw - ext4 /dev/sda1 rw\n", "fixture: line 1: mount id \"2x\" is not a number");
  expect_error("21 -1 8:1 / / rw - ext4 /dev/sda1 rw\n", "fixture: line 1: parent id \"-1\" is not a number");
  expect_error("21 1 8.1 / / rw - ext4 /dev/sda1 rw\n", "fixture: line 1: device \"8.1\" is not major:minor");
  expect_error("21 1 8:1 x / rw - ext4 /dev/sda1 rw\n", "fixture: line 1: root \"x\" is not absolute");
  expect_error("21 1 8:1 / x rw - ext4 /dev/sda1 rw\n", "fixture: line 1: mount point \"x\" is not absolute");
}

}  // namespace
}  // namespace vhdchain::hostpath
