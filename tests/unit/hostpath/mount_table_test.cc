// match_mount / locate_host_path on the fixture table: which mount, which inner path, which aliases
// and which one is canonical.
#include <gtest/gtest.h>

#include "unit/hostpath/fixtures.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

using Strings = std::vector<std::string>;

class HostpathMountTable : public ::testing::Test {
 protected:
  MountTable table = parse_mountinfo(test::kMountInfo);

  uint32_t mount_id_of(std::string_view path) {
    std::optional<MountMatch> m = match_mount(table, path);
    return m ? table.entries[m->entry].mount_id : 0;
  }
  std::string inner_of(std::string_view path) {
    std::optional<MountMatch> m = match_mount(table, path);
    return m ? m->inner_path : "<none>";
  }
};

TEST(HostpathNormalize, LexicalRules) {
  EXPECT_EQ(normalize_host_path("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(normalize_host_path("/../x"), "/x");
  EXPECT_EQ(normalize_host_path("/a/b/.."), "/a");
  EXPECT_EQ(normalize_host_path("/"), "/");
  EXPECT_EQ(normalize_host_path("//"), "/");
  EXPECT_EQ(normalize_host_path("a/../../b"), "../b");
  EXPECT_EQ(normalize_host_path("./a/"), "a");
  EXPECT_EQ(normalize_host_path(""), ".");
}

TEST_F(HostpathMountTable, LongestMountPointOnComponentBoundaries) {
  EXPECT_EQ(mount_id_of("/srv/dst x/f"), 30u);
  EXPECT_EQ(inner_of("/srv/dst x/f"), "/srv/src/sub/f");
  EXPECT_EQ(mount_id_of("/mnt/host-c/Hyper-V/VMs/VM.vhdx"), 42u);
  EXPECT_EQ(inner_of("/mnt/host-c/Hyper-V/VMs/VM.vhdx"), "/VMs/VM.vhdx");
  EXPECT_EQ(mount_id_of("/mnt/host-c/Hyper-Vx/a"), 40u);  // not under /mnt/host-c/Hyper-V
  EXPECT_EQ(inner_of("/mnt/host-c/Hyper-Vx/a"), "/Hyper-Vx/a");
  EXPECT_EQ(mount_id_of("/mnt/host-cx"), 21u);
  EXPECT_EQ(inner_of("/mnt/host-cx"), "/mnt/host-cx");
  EXPECT_EQ(mount_id_of("/mnt/host-d"), 41u);
  EXPECT_EQ(inner_of("/mnt/host-d"), "/");
  EXPECT_EQ(inner_of("/"), "/");
  EXPECT_EQ(mount_id_of("/mnt/tab\tand\\back/x"), 50u);
  // Normalised before matching.
  EXPECT_EQ(inner_of("/mnt/host-c/./Hyper-V/../Hyper-V//VMs/"), "/VMs");
}

TEST_F(HostpathMountTable, StackedMountsResolveToTheTop) {
  EXPECT_EQ(mount_id_of("/mnt/stack/a"), 71u);
  // Listing order does not matter: the one mounted on the other wins.
  MountTable reversed;
  reversed.entries = {table.entries[12], table.entries[11], table.entries[0]};
  std::optional<MountMatch> m = match_mount(reversed, "/mnt/stack/a");
  ASSERT_TRUE(m);
  EXPECT_EQ(reversed.entries[m->entry].mount_id, 71u);
}

TEST_F(HostpathMountTable, RelativeOrUncoveredPathsHaveNoMount) {
  EXPECT_FALSE(match_mount(table, "srv/x"));
  EXPECT_FALSE(match_mount(table, ""));
  MountTable partial = parse_mountinfo("5 1 8:1 / /mnt/x rw - ext4 /dev/sda1 rw\n");
  EXPECT_FALSE(match_mount(partial, "/other"));
  EXPECT_FALSE(locate_host_path(partial, "/other"));
}

TEST_F(HostpathMountTable, BindOfASubtreeAliasesTheWholeFilesystem) {
  std::optional<HostLocation> loc = locate_host_path(table, "/srv/dst x/f");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->path, "/srv/dst x/f");
  EXPECT_EQ(loc->mount_point, "/srv/dst x");
  EXPECT_EQ(loc->volume, "254:1");
  EXPECT_EQ(loc->mount_root, "/srv/src/sub");
  EXPECT_EQ(loc->inner_path, "/srv/src/sub/f");
  // Root "/" mounts first (shorter mount point first), the subtree bind last.
  EXPECT_EQ(loc->aliases, (Strings{"/srv/src/sub/f", "/mnt/rootbind/srv/src/sub/f", "/srv/dst x/f"}));
  EXPECT_EQ(loc->canonical(), "/srv/src/sub/f");
  EXPECT_FALSE(loc->is_canonical());

  std::optional<HostLocation> direct = locate_host_path(table, "/srv/src/sub/f");
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->inner_path, "/srv/src/sub/f");
  EXPECT_EQ(direct->aliases, loc->aliases);
  EXPECT_TRUE(direct->is_canonical());
}

TEST_F(HostpathMountTable, Seed000OneVolumeTwoMountPoints) {
  std::optional<HostLocation> loc = locate_host_path(table, "/mnt/host-c/Hyper-V/VMs/VM.vhdx");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->volume, "8:17");
  EXPECT_EQ(loc->mount_point, "/mnt/host-c/Hyper-V");
  EXPECT_EQ(loc->mount_root, "/");
  EXPECT_EQ(loc->inner_path, "/VMs/VM.vhdx");
  EXPECT_EQ(loc->aliases, (Strings{"/mnt/host-d/VMs/VM.vhdx", "/mnt/host-c/Hyper-V/VMs/VM.vhdx"}));

  std::optional<HostLocation> root = locate_host_path(table, "/mnt/host-d");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->inner_path, "/");
  EXPECT_EQ(root->aliases, (Strings{"/mnt/host-d", "/mnt/host-c/Hyper-V"}));
}

TEST_F(HostpathMountTable, StaleClusterStorageRootIsNeverCanonical) {
  std::optional<HostLocation> loc = locate_host_path(table, "/mnt/host-c/ClusterStorage.000/Volume1/VMs/a.vhdx");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->volume, "8:33");
  EXPECT_EQ(loc->aliases, (Strings{"/mnt/host-c/ClusterStorage/Volume1/VMs/a.vhdx",
                                   "/mnt/host-c/ClusterStorage.000/Volume1/VMs/a.vhdx"}));
  // Even when the stale mount point is the shorter one.
  MountTable t = parse_mountinfo(
      "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "2 1 8:5 / /c/ClusterStorage.1/V rw - ntfs3 /dev/sdb1 rw\n"
      "3 1 8:5 / /mnt/c/ClusterStorage/Volume1 rw - ntfs3 /dev/sdb1 rw\n");
  std::optional<HostLocation> short_ghost = locate_host_path(t, "/c/ClusterStorage.1/V/x");
  ASSERT_TRUE(short_ghost);
  EXPECT_EQ(short_ghost->aliases, (Strings{"/mnt/c/ClusterStorage/Volume1/x", "/c/ClusterStorage.1/V/x"}));
}

TEST_F(HostpathMountTable, HiddenAliasesAreLeftOut) {
  // /mnt/rootbind exposes the root filesystem's own /mnt/host-d folder, which /mnt/host-d overmounts:
  // "/mnt/host-d/old.vhdx" is another file, so it is no alias.
  std::optional<HostLocation> loc = locate_host_path(table, "/mnt/rootbind/mnt/host-d/old.vhdx");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->volume, "254:1");
  EXPECT_EQ(loc->inner_path, "/mnt/host-d/old.vhdx");
  EXPECT_EQ(loc->aliases, (Strings{"/mnt/rootbind/mnt/host-d/old.vhdx"}));
  EXPECT_TRUE(loc->is_canonical());
  // The lower of two stacked mounts is hidden too.
  std::optional<HostLocation> stack = locate_host_path(table, "/mnt/stack/a");
  ASSERT_TRUE(stack);
  EXPECT_EQ(stack->volume, "0:51");
  EXPECT_EQ(stack->aliases, (Strings{"/mnt/stack/a"}));
}

TEST_F(HostpathMountTable, TiesBreakOnTextNotOnListingOrder) {
  MountTable t = parse_mountinfo(
      "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "7 1 8:9 / /mnt/b rw - ext4 /dev/sdd1 rw\n"
      "6 1 8:9 / /mnt/a rw - ext4 /dev/sdd1 rw\n");
  std::optional<HostLocation> loc = locate_host_path(t, "/mnt/b/x");
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc->aliases, (Strings{"/mnt/a/x", "/mnt/b/x"}));
}

}  // namespace
}  // namespace vhdchain::hostpath
