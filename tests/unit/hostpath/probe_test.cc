// The live side on POSIX: the kernel's mount table, symlink resolution and probing real paths.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/testdata.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

namespace fs = std::filesystem;
constexpr size_t kNone = AliasFinding::kNone;

TEST(HostpathProbe, ReadsTheLiveTable) {
  MountTable t = read_mount_table();
  ASSERT_FALSE(t.entries.empty());
  // Whatever else is mounted, something covers "/".
  std::optional<MountMatch> m = match_mount(t, "/");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(t.entries[m->entry].mount_point, "/");
}

TEST(HostpathProbe, SymlinkHardLinkAndMissing) {
  vhdchain::test::TempDir t;
  fs::create_directories(t / "real");
  std::ofstream(t / "real" / "Parent.vhdx") << "parent";
  std::ofstream(t / "real" / "other.vhdx") << "other";
  fs::create_directory_symlink(t / "real", t / "link");
  fs::create_hard_link(t / "real" / "Parent.vhdx", t / "real" / "hard.vhdx");
  const std::string base = t.path().string();
  const std::vector<std::string> given = {base + "/real/Parent.vhdx", base + "/link/Parent.vhdx", base + "/real/hard.vhdx",
                                          base + "/real/other.vhdx", base + "/real/missing.vhdx"};
  MountTable table = read_mount_table();
  std::vector<PathFacts> paths;
  for (const std::string& g : given) paths.push_back(probe_host_path(table, g));

  // The expectations, from the same table: where the temp folder really is.
  const std::string real = resolve_host_path(base);
  EXPECT_EQ(resolve_host_path(given[1]), real + "/real/Parent.vhdx");
  EXPECT_EQ(resolve_host_path(given[4]), real + "/real/missing.vhdx");  // missing, still placed
  EXPECT_EQ(resolve_host_path(base + "/link/nope/../x"), real + "/real/x");
  std::optional<HostLocation> parent = locate_host_path(table, real + "/real/Parent.vhdx");
  std::optional<HostLocation> hard = locate_host_path(table, real + "/real/hard.vhdx");
  ASSERT_TRUE(parent && hard);
  ASSERT_TRUE(paths[1].location);
  EXPECT_EQ(paths[1].location->path, real + "/real/Parent.vhdx");
  EXPECT_EQ(paths[1].location->inner_path, parent->inner_path);
  const std::string id_parent = paths[0].identity.identity.to_string();
  const std::string id_other = paths[3].identity.identity.to_string();
  std::vector<AliasFinding> expected = {
      {AliasCode::missing, 4, kNone, "", given[4], "No such file or directory"},
      {AliasCode::same_file, 0, 1, parent->canonical(), given[1], parent->inner_path + " on volume " + parent->volume},
      {AliasCode::hard_link, 0, 2, parent->canonical(), given[2],
       parent->inner_path + " and " + hard->inner_path + " on volume " + parent->volume},
      {AliasCode::different_file, 0, 3, "", given[3], id_parent + " vs " + id_other},
      {AliasCode::hard_link, 1, 2, parent->canonical(), given[2],
       parent->inner_path + " and " + hard->inner_path + " on volume " + parent->volume},
      {AliasCode::different_file, 1, 3, "", given[3], id_parent + " vs " + id_other},
      {AliasCode::different_file, 2, 3, "", given[3], id_parent + " vs " + id_other},
  };
  EXPECT_EQ(analyze_host_paths(paths), expected);
}

TEST(HostpathProbe, RelativePathsResolveAgainstTheWorkingDirectory) {
  const std::string cwd = resolve_host_path(fs::current_path().string());
  EXPECT_EQ(resolve_host_path("no-such-dir/x.vhdx"), cwd + "/no-such-dir/x.vhdx");
  EXPECT_EQ(resolve_host_path(""), "");
  PathFacts f = probe_host_path(read_mount_table(), "no-such-dir/x.vhdx");
  EXPECT_EQ(f.path, "no-such-dir/x.vhdx");
  EXPECT_EQ(f.identity.status, AccessStatus::not_found);
  ASSERT_TRUE(f.location);
  EXPECT_EQ(f.location->path, cwd + "/no-such-dir/x.vhdx");
}

}  // namespace
}  // namespace vhdchain::hostpath
