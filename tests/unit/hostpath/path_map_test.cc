// --map parsing and mapping: longest Windows root, case-insensitive, through volume aliases.
#include <filesystem>

#include <gtest/gtest.h>

#include "support/testdata.h"

#include "unit/hostpath/fixtures.h"
#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

using Strings = std::vector<std::string>;

TEST(HostpathPathMap, ParsesEveryRootForm) {
  struct Case {
    std::string text, root, host;
  };
  const std::vector<Case> cases = {
      {"C:\\=/mnt/host-c", "C:\\", "/mnt/host-c"},
      {"c:=/mnt/host-c/", "C:\\", "/mnt/host-c"},
      {"\\\\?\\C:\\=/mnt/c", "C:\\", "/mnt/c"},
      {"Volume{A3B7C1D2-4E5F-4A6B-8C9D-0E1F2A3B4C5D}=/mnt/d",
       "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\", "/mnt/d"},
      {"\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\=/mnt/d",
       "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\", "/mnt/d"},
      {"\\\\fs1\\vms=/mnt/vms", "\\\\fs1\\vms\\", "/mnt/vms"},
      {"\\\\?\\UNC\\fs1\\vms\\=/mnt/vms", "\\\\fs1\\vms\\", "/mnt/vms"},
      {"C:\\ClusterStorage\\Volume1=/mnt/csv1", "C:\\ClusterStorage\\Volume1\\", "/mnt/csv1"},
      {"C:\\a=b\\=/mnt/odd", "C:\\a=b\\", "/mnt/odd"},  // '=' is a legal name character
      {"E:\\=/", "E:\\", "/"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    PathMapping m = parse_path_mapping(c.text);
    EXPECT_EQ(m.windows_root.to_string(true), c.root);
    EXPECT_EQ(m.host_root, c.host);
  }
}

TEST(HostpathPathMap, RejectsBadOptions) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"C:\\", "map \"C:\\\": expected WINROOT=HOSTPATH, e.g. C:\\=/mnt/host-c"},
      {"C:\\=mnt/c", "map \"C:\\=mnt/c\": the host path must be absolute (start with '/')"},
      {"=/mnt/c", "map \"=/mnt/c\": the Windows root is empty"},
      {"VMs\\x=/mnt/c",
       "map \"VMs\\x=/mnt/c\": the Windows root must be a drive (C:\\), a volume (\\\\?\\Volume{GUID}\\), a share "
       "(\\\\server\\share) or a folder on one of them"},
      {"C:VMs=/mnt/c",
       "map \"C:VMs=/mnt/c\": the Windows root must be a drive (C:\\), a volume (\\\\?\\Volume{GUID}\\), a share "
       "(\\\\server\\share) or a folder on one of them"},
      {"\\\\fs1=/mnt/c", "map \"\\\\fs1=/mnt/c\": windows path \"\\\\fs1\": a UNC path needs a server and a share"},
      {"Volume{x}=/mnt/v", "map \"Volume{x}=/mnt/v\": windows path \"\\\\?\\Volume{x}\": the volume GUID is malformed"},
  };
  for (const auto& [text, message] : bad) {
    SCOPED_TRACE(text);
    try {
      parse_path_mapping(text);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
      EXPECT_EQ(std::string(e.what()), message);
    }
  }
  PathMap map;
  map.add(parse_path_mapping("C:\\=/mnt/c"));
  try {
    map.add(parse_path_mapping("c:=/mnt/other"));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "map: \"C:\\\" is mapped twice (to /mnt/c and /mnt/other)");
  }
}

PathMap make_map(const Strings& options) {
  PathMap map;
  for (const std::string& o : options) map.add(parse_path_mapping(o));
  return map;
}

std::string mapped(const PathMap& map, std::string_view path, const WindowsVolumeSet* volumes = nullptr) {
  std::optional<MappedPath> m = map.map(parse_windows_path(path), volumes);
  if (!m) return "-";
  std::string rest;
  for (const std::string& r : m->rest) rest += "/" + r;
  return m->host_path + "|" + m->host_root + "|" + rest + "|" + m->mapping_root + "|" + m->windows_path +
         (m->via_alias ? "|alias" : "");
}

TEST(HostpathPathMap, LongestRootWinsCaseInsensitively) {
  PathMap map = make_map({"C:\\=/mnt/host-c", "C:\\ClusterStorage\\Volume1=/mnt/csv1", "\\\\fs1\\vms=/mnt/vms",
                          "Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}=/mnt/d"});
  EXPECT_EQ(mapped(map, "c:\\hyper-v\\VMs\\VM.vhdx"),
            "/mnt/host-c/hyper-v/VMs/VM.vhdx|/mnt/host-c|/hyper-v/VMs/VM.vhdx|C:\\|C:\\hyper-v\\VMs\\VM.vhdx");
  EXPECT_EQ(mapped(map, "\\\\?\\C:\\clusterstorage\\VOLUME1\\vms\\a.vhdx"),
            "/mnt/csv1/vms/a.vhdx|/mnt/csv1|/vms/a.vhdx|C:\\ClusterStorage\\Volume1\\|"
            "\\\\?\\C:\\clusterstorage\\VOLUME1\\vms\\a.vhdx");
  EXPECT_EQ(mapped(map, "\\\\FS1\\VMs\\web\\d.vhdx"),
            "/mnt/vms/web/d.vhdx|/mnt/vms|/web/d.vhdx|\\\\fs1\\vms\\|\\\\FS1\\VMs\\web\\d.vhdx");
  EXPECT_EQ(mapped(map, "\\\\?\\UNC\\fs1\\vms\\d.vhdx"),
            "/mnt/vms/d.vhdx|/mnt/vms|/d.vhdx|\\\\fs1\\vms\\|\\\\?\\UNC\\fs1\\vms\\d.vhdx");
  EXPECT_EQ(mapped(map, "\\\\?\\Volume{A3B7C1D2-4E5F-4A6B-8C9D-0E1F2A3B4C5D}\\VMs\\VM.vhdx"),
            "/mnt/d/VMs/VM.vhdx|/mnt/d|/VMs/VM.vhdx|\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\|"
            "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\VMs\\VM.vhdx");
  EXPECT_EQ(mapped(map, "C:\\"), "/mnt/host-c|/mnt/host-c||C:\\|C:\\");
  EXPECT_EQ(mapped(map, "D:\\VMs\\VM.vhdx"), "-");
  EXPECT_EQ(mapped(map, "\\\\fs2\\vms\\x"), "-");
  EXPECT_EQ(mapped(map, ".\\VM.vhdx"), "-");
  PathMap root = make_map({"E:\\=/"});
  EXPECT_EQ(mapped(root, "E:\\a\\b"), "/a/b|/|/a/b|E:\\|E:\\a\\b");
}

TEST(HostpathPathMap, ThroughVolumeAliases) {
  WindowsVolumeSet volumes = WindowsVolumeSet::from_mountvol(
      std::vector<uint8_t>(test::kMountvol.begin(), test::kMountvol.end()), "mountvol.txt");
  // Seed 000 from Linux: only D: is mapped, yet the child's C:\Hyper-V\ path and the volume_path
  // locator both reach it.
  PathMap map = make_map({"C:\\=/mnt/host-c", "D:\\=/mnt/host-d"});
  EXPECT_EQ(mapped(map, "C:\\Hyper-V\\VMs\\VM.vhdx", &volumes),
            "/mnt/host-d/VMs/VM.vhdx|/mnt/host-d|/VMs/VM.vhdx|D:\\|D:\\VMs\\VM.vhdx|alias");
  EXPECT_EQ(mapped(map, "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\VMs\\VM.vhdx", &volumes),
            "/mnt/host-d/VMs/VM.vhdx|/mnt/host-d|/VMs/VM.vhdx|D:\\|D:\\VMs\\VM.vhdx|alias");
  EXPECT_EQ(mapped(map, "D:\\VMs\\VM.vhdx", &volumes), "/mnt/host-d/VMs/VM.vhdx|/mnt/host-d|/VMs/VM.vhdx|D:\\|D:\\VMs\\VM.vhdx");
  EXPECT_EQ(mapped(map, "C:\\Windows\\x", &volumes), "/mnt/host-c/Windows/x|/mnt/host-c|/Windows/x|C:\\|C:\\Windows\\x");
  // Without the volume list, C:\ would claim the other volume's files (an empty folder there).
  EXPECT_EQ(mapped(map, "C:\\Hyper-V\\VMs\\VM.vhdx"),
            "/mnt/host-c/Hyper-V/VMs/VM.vhdx|/mnt/host-c|/Hyper-V/VMs/VM.vhdx|C:\\|C:\\Hyper-V\\VMs\\VM.vhdx");
  // A volume mapped by GUID maps its drive letter's paths too.
  PathMap by_guid = make_map({"Volume{5d0c9e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6}=/mnt/csv"});
  EXPECT_EQ(mapped(by_guid, "C:\\ClusterStorage.000\\Volume1\\VMs\\a.vhdx", &volumes),
            "/mnt/csv/VMs/a.vhdx|/mnt/csv|/VMs/a.vhdx|\\\\?\\Volume{5d0c9e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6}\\|"
            "\\\\?\\Volume{5d0c9e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6}\\VMs\\a.vhdx|alias");
  // E: is known to the list but not mapped.
  EXPECT_EQ(mapped(map, "E:\\x", &volumes), "-");
}

#ifndef _WIN32
// --map in reverse is one function for check (a child's Windows path) and compose_parent_paths (the
// locators relink and create write). check used to compare only the root as given, so a mapping
// onto a symlinked folder gave no Windows path there while relink found one; now both find it.
TEST(HostpathPathMap, ReverseMapsThroughASymlinkedHostRoot) {
  namespace fs = std::filesystem;
  vhdchain::test::TempDir t;
  fs::create_directories(t / "real" / "VMs");
  fs::create_directory_symlink(t / "real", t / "link");
  const std::string real = resolve_host_path((t / "real").string());
  PathMap map;
  map.add(parse_path_mapping("C:\\Hyper-V=" + (t / "link").string()));
  map.add(parse_path_mapping("D:\\=" + (t / "elsewhere").string()));
  // The caller passes a resolved path: it names real/, which only the link's target matches.
  std::optional<WinPath> w = windows_path_of(map, real + "/VMs/a.avhdx");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->to_string(), "C:\\Hyper-V\\VMs\\a.avhdx");
  EXPECT_EQ(windows_path_of(map, real)->to_string(), "C:\\Hyper-V");
  EXPECT_FALSE(windows_path_of(map, "/nowhere/a.avhdx"));
  // The longest host root wins.
  map.add(parse_path_mapping("E:\\=" + real + "/VMs"));
  EXPECT_EQ(windows_path_of(map, real + "/VMs/a.avhdx")->to_string(), "E:\\a.avhdx");
  EXPECT_EQ(host_path_components("/a//b/c/"), (Strings{"a", "b", "c"}));
}
#endif

}  // namespace
}  // namespace vhdchain::hostpath
