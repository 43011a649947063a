// Real aliasing: a bind mount of a subfolder at a path with a space, made in a private mount
// namespace of a forked child (what `unshare -m --propagation private` + `mount --bind` do), so the
// host never sees it and it vanishes with the child. The child reads the live mountinfo, probes the
// paths and sends the facts back; the assertions run here. Needs root (CI) or unprivileged user
// namespaces; otherwise the test skips and says why. VHDCHAIN_REQUIRE_BIND_MOUNT=1 makes that a failure.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/testdata.h"
#include "unit/hostpath/child_process.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

namespace fs = std::filesystem;

std::string describe(const AliasFinding& f) {
  auto index = [](size_t i) { return i == AliasFinding::kNone ? std::string("-") : std::to_string(i); };
  return std::string(to_string(f.code)) + "|" + index(f.first) + "|" + index(f.second) + "|" + f.canonical + "|" +
         f.alias + "|" + f.detail;
}

TEST(HostpathBindMount, AliasesThroughARealBindMount) {
  vhdchain::test::TempDir t;
  fs::create_directories(t / "src" / "sub");
  fs::create_directories(t / "dst x");
  std::ofstream(t / "src" / "sub" / "f.vhdx") << "parent";
  std::ofstream(t / "src" / "sub" / "other.vhdx") << "other";
  const std::string real = resolve_host_path(t.path().string());
  const std::string src = real + "/src/sub", dst = real + "/dst x";
  const std::vector<std::string> given = {src + "/f.vhdx", dst + "/f.vhdx", dst + "/other.vhdx", dst + "/missing.vhdx"};

  // Before the bind: where the source folder lives, and its canonical path.
  MountTable before = read_mount_table();
  std::optional<HostLocation> src_loc = locate_host_path(before, src);
  std::optional<HostLocation> f_loc = locate_host_path(before, given[0]);
  ASSERT_TRUE(src_loc && f_loc);

  test::ChildResult r = test::run_in_child([&] {
    test::bind_in_private_namespace(src, dst);
    MountTable table = read_mount_table();
    std::ostringstream out;
    std::optional<MountMatch> m = match_mount(table, dst + "/f.vhdx");
    const MountEntry& e = table.entries.at(m.value().entry);
    out << "mount|" << e.mount_point << "|" << e.root << "|" << e.device() << "|" << m.value().inner_path << "\n";
    std::vector<PathFacts> facts;
    for (const std::string& g : given) facts.push_back(probe_host_path(table, g));
    out << "same_identity|" << (facts[0].identity.ok() && facts[0].identity.identity == facts[1].identity.identity)
        << "\n";
    out << "aliases";
    for (const std::string& a : facts[1].location.value().aliases) out << "|" << a;
    out << "\n";
    for (const AliasFinding& f : analyze_host_paths(facts)) out << describe(f) << "\n";
    return out.str();
  });
  if (r.kind == test::ChildResult::skipped) {
    const char* require = std::getenv("VHDCHAIN_REQUIRE_BIND_MOUNT");
    if (require && std::string(require) == "1") FAIL() << "VHDCHAIN_REQUIRE_BIND_MOUNT=1 but " << r.text;
    GTEST_SKIP() << "real bind-mount aliasing not tested: " << r.text;
  }
  ASSERT_EQ(r.kind, test::ChildResult::ok) << r.text;

  std::vector<std::string> lines;
  std::istringstream in(r.text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);

  const std::string volume = src_loc->volume;
  const std::string mounts = "mount points " + f_loc->mount_point + " and " + dst + " of volume " + volume;
  std::vector<std::string> aliases = f_loc->aliases;
  aliases.push_back(dst + "/f.vhdx");  // a bind of a subtree ranks after every whole-filesystem mount
  std::string alias_line = "aliases";
  for (const std::string& a : aliases) alias_line += "|" + a;
  const std::string canonical = f_loc->canonical();
  const std::string other_canonical = canonical.substr(0, canonical.size() - 6) + "other.vhdx";
  const std::string missing_canonical = canonical.substr(0, canonical.size() - 6) + "missing.vhdx";

  std::vector<std::string> expected = {
      // The kernel wrote the space as \040; the root field is the bound subfolder inside its filesystem.
      "mount|" + dst + "|" + src_loc->inner_path + "|" + volume + "|" + src_loc->inner_path + "/f.vhdx",
      "same_identity|1",
      alias_line,
      "hostpath.missing|3|-||" + given[3] + "|No such file or directory",
      "hostpath.mount_alias|0|1|" + canonical + "|" + given[1] + "|" + mounts,
      "hostpath.volume_alias|0|2|" + other_canonical + "|" + given[2] + "|" + mounts,
      "hostpath.volume_alias|0|3|" + missing_canonical + "|" + given[3] + "|" + mounts,
      "hostpath.different_file|1|2||" + given[2] + "|" + file_identity(given[0]).identity.to_string() + " vs " +
          file_identity(src + "/other.vhdx").identity.to_string(),
  };
  EXPECT_EQ(lines, expected);
  // And the host never saw the mount.
  EXPECT_FALSE(fs::exists(t / "dst x" / "f.vhdx"));
}

}  // namespace
}  // namespace vhdchain::hostpath
