// Which of a parent's paths a link goes through when its volume is mounted more than once
// (choose_parent_path in vhdchain/write.h; seed 000): the child's own mount point, never a ClusterStorage.NNN root,
// or the root the admin prefers.
#include <gtest/gtest.h>

#include "vhdchain/error.h"
#include "vhdchain/write.h"

namespace vhdchain {
namespace {

hostpath::PathFacts located(const std::string& path, const std::string& mount_point, std::vector<std::string> aliases) {
  hostpath::PathFacts f;
  f.path = path;
  hostpath::HostLocation l;
  l.path = path;
  l.mount_point = mount_point;
  l.volume = "8:1";
  l.aliases = std::move(aliases);
  f.location = l;
  return f;
}

// One cluster volume mounted at /cluster/Volume1 (canonical) and at the stale
// /cluster/ClusterStorage.000; a second, unrelated mount point /srv/vms.
const std::vector<std::string> kParentPaths = {"/cluster/Volume1/base.vhdx", "/cluster/ClusterStorage.000/base.vhdx",
                                               "/srv/vms/base.vhdx"};

TEST(ParentChoice, ThroughTheChildsOwnMountPoint) {
  const auto child = located("/srv/vms/child.avhdx", "/srv/vms", {"/srv/vms/child.avhdx"});
  const auto parent = located("/cluster/Volume1/base.vhdx", "/cluster/Volume1", kParentPaths);
  EXPECT_EQ(choose_parent_path(child, parent, std::nullopt), "/srv/vms/base.vhdx");
}

TEST(ParentChoice, NeverThroughAClusterStorageRootByDefault) {
  const auto child = located("/cluster/ClusterStorage.000/child.avhdx", "/cluster/ClusterStorage.000",
                             {"/cluster/Volume1/child.avhdx", "/cluster/ClusterStorage.000/child.avhdx"});
  const auto parent = located("/cluster/ClusterStorage.000/base.vhdx", "/cluster/ClusterStorage.000", kParentPaths);
  EXPECT_EQ(choose_parent_path(child, parent, std::nullopt), "/cluster/Volume1/base.vhdx");
}

TEST(ParentChoice, PreferChoosesTheMountPoint) {
  const auto child = located("/srv/vms/child.avhdx", "/srv/vms", {"/srv/vms/child.avhdx"});
  const auto parent = located("/srv/vms/base.vhdx", "/srv/vms", kParentPaths);
  EXPECT_EQ(choose_parent_path(child, parent, std::string("/cluster/Volume1")), "/cluster/Volume1/base.vhdx");
  EXPECT_EQ(choose_parent_path(child, parent, std::string("/cluster/Volume1/")), "/cluster/Volume1/base.vhdx");
  try {
    choose_parent_path(child, parent, std::string("/cluster/Volume"));  // a prefix of a name is not a root
    FAIL() << "no path under /cluster/Volume";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "--prefer /cluster/Volume: the parent /srv/vms/base.vhdx has no path under it (its paths: "
              "/cluster/Volume1/base.vhdx, /cluster/ClusterStorage.000/base.vhdx, /srv/vms/base.vhdx)");
  }
}

TEST(ParentChoice, WithoutLocationsThePathAsGiven) {
  hostpath::PathFacts child, parent;
  child.path = "/x/child.avhdx";
  parent.path = "/y/base.vhdx";
  EXPECT_EQ(choose_parent_path(child, parent, std::nullopt), "/y/base.vhdx");
}

}  // namespace
}  // namespace vhdchain
