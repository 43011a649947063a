// The Windows path model: parsing table, rendering, case-insensitive comparison, relative
// resolution, ClusterStorage.NNN detection.
#include <gtest/gtest.h>

#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

using Strings = std::vector<std::string>;

struct ParseCase {
  std::string text;
  WinPathKind kind;
  WinPrefix prefix;
  std::string root;
  Strings components;
  std::string rendered;
};

TEST(HostpathWindowsPath, ParseTable) {
  const std::vector<ParseCase> cases = {
      {"C:\\Hyper-V\\VMs\\VM.vhdx", WinPathKind::drive_absolute, WinPrefix::none, "C:\\", {"Hyper-V", "VMs", "VM.vhdx"},
       "C:\\Hyper-V\\VMs\\VM.vhdx"},
      {"c:/hyper-v//vms/./x.avhdx", WinPathKind::drive_absolute, WinPrefix::none, "C:\\", {"hyper-v", "vms", "x.avhdx"},
       "C:\\hyper-v\\vms\\x.avhdx"},
      {"D:\\", WinPathKind::drive_absolute, WinPrefix::none, "D:\\", {}, "D:\\"},
      {"\\\\?\\d:\\spike\\base.vhdx", WinPathKind::drive_absolute, WinPrefix::long_path, "\\\\?\\D:\\", {"spike", "base.vhdx"},
       "\\\\?\\D:\\spike\\base.vhdx"},
      {"\\\\.\\C:\\x", WinPathKind::drive_absolute, WinPrefix::device, "\\\\.\\C:\\", {"x"}, "\\\\.\\C:\\x"},
      {"\\\\fs1\\VMs\\web\\disk.vhdx", WinPathKind::unc, WinPrefix::none, "\\\\fs1\\VMs\\", {"web", "disk.vhdx"},
       "\\\\fs1\\VMs\\web\\disk.vhdx"},
      {"\\\\fs1\\VMs", WinPathKind::unc, WinPrefix::none, "\\\\fs1\\VMs\\", {}, "\\\\fs1\\VMs\\"},
      {"\\\\?\\UNC\\fs1\\VMs\\a\\..\\b.vhdx", WinPathKind::unc, WinPrefix::long_path, "\\\\?\\UNC\\fs1\\VMs\\", {"b.vhdx"},
       "\\\\?\\UNC\\fs1\\VMs\\b.vhdx"},
      {"\\\\?\\Volume{A3B7C1D2-4E5F-4A6B-8C9D-0E1F2A3B4C5D}\\VMs\\VM.vhdx", WinPathKind::volume_guid,
       WinPrefix::long_path, "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\", {"VMs", "VM.vhdx"},
       "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\VMs\\VM.vhdx"},
      {"\\\\?\\volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}", WinPathKind::volume_guid, WinPrefix::long_path,
       "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\", {}, "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\"},
      {".\\fixed-min.vhdx", WinPathKind::relative, WinPrefix::none, "", {"fixed-min.vhdx"}, "fixed-min.vhdx"},
      {"..\\..\\path2\\sub3\\parent.vhdx", WinPathKind::relative, WinPrefix::none, "",
       {"..", "..", "path2", "sub3", "parent.vhdx"}, "..\\..\\path2\\sub3\\parent.vhdx"},
      {"a\\..\\..\\b", WinPathKind::relative, WinPrefix::none, "", {"..", "b"}, "..\\b"},
      {".\\", WinPathKind::relative, WinPrefix::none, "", {}, "."},
      {"C:..\\x", WinPathKind::drive_relative, WinPrefix::none, "C:", {"..", "x"}, "C:..\\x"},
      {"\\VMs\\x.vhdx", WinPathKind::root_relative, WinPrefix::none, "\\", {"VMs", "x.vhdx"}, "\\VMs\\x.vhdx"},
      // ".." is clamped at the root, as GetFullPathNameW does.
      {"C:\\..\\..\\x", WinPathKind::drive_absolute, WinPrefix::none, "C:\\", {"x"}, "C:\\x"},
      {"C:\\a\\b\\..\\..\\..\\c\\", WinPathKind::drive_absolute, WinPrefix::none, "C:\\", {"c"}, "C:\\c"},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    WinPath p = parse_windows_path(c.text);
    EXPECT_EQ(p.kind, c.kind);
    EXPECT_EQ(p.prefix, c.prefix);
    EXPECT_EQ(p.root(), c.root);
    EXPECT_EQ(p.components, c.components);
    EXPECT_EQ(p.to_string(), c.rendered);
    EXPECT_EQ(parse_windows_path(p.to_string()), p);  // rendering parses back to the same path
  }
}

TEST(HostpathWindowsPath, FieldsOfEachRoot) {
  WinPath d = parse_windows_path("e:\\x");
  EXPECT_EQ(d.drive, 'E');
  WinPath u = parse_windows_path("\\\\?\\unc\\Srv\\Share$\\x");
  EXPECT_EQ(u.server, "Srv");
  EXPECT_EQ(u.share, "Share$");
  WinPath v = parse_windows_path("\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\");
  EXPECT_EQ(v.volume, *Guid::parse("a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d"));
  EXPECT_TRUE(v.is_absolute());
  EXPECT_FALSE(parse_windows_path("x").is_absolute());
  EXPECT_FALSE(parse_windows_path("C:x").is_absolute());
  EXPECT_FALSE(parse_windows_path("\\x").is_absolute());
  EXPECT_EQ(to_string(WinPathKind::volume_guid), "volume_guid");
}

TEST(HostpathWindowsPath, TrailingSeparatorForMountPoints) {
  EXPECT_EQ(parse_windows_path("C:\\Hyper-V").to_string(true), "C:\\Hyper-V\\");
  EXPECT_EQ(parse_windows_path("C:\\").to_string(true), "C:\\");
}

TEST(HostpathWindowsPath, RejectsWhatNamesNoFile) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "windows path \"\": is empty"},
      {"\\\\server", "windows path \"\\\\server\": a UNC path needs a server and a share"},
      {"\\\\server\\..\\x", "windows path \"\\\\server\\..\\x\": a UNC path needs a server and a share"},
      {"\\\\?\\UNC\\server", "windows path \"\\\\?\\UNC\\server\": a UNC path needs a server and a share"},
      {"\\\\?\\Volume{a3b7c1d2-4e5f}\\x", "windows path \"\\\\?\\Volume{a3b7c1d2-4e5f}\\x\": the volume GUID is malformed"},
      {"\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}x",
       "windows path \"\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}x\": the volume GUID is malformed"},
      {"\\\\?\\GLOBALROOT\\Device\\HarddiskVolume2\\x",
       "windows path \"\\\\?\\GLOBALROOT\\Device\\HarddiskVolume2\\x\": only \\\\?\\C:\\, \\\\?\\UNC\\ and "
       "\\\\?\\Volume{GUID}\\ forms are supported"},
  };
  for (const auto& [text, message] : bad) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(try_parse_windows_path(text));
    try {
      parse_windows_path(text);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
      EXPECT_EQ(std::string(e.what()), message);
    }
  }
}

TEST(HostpathCaseFold, OrdinalUpperCase) {
  EXPECT_EQ(fold_case("Hyper-V\\vm_AAAA.avhdx"), "HYPER-V\\VM_AAAA.AVHDX");
  EXPECT_TRUE(equal_ignore_case("Parent.VHDX", "parent.vhdx"));
  EXPECT_TRUE(equal_ignore_case("Ärger-é.vhdx", "äRGER-É.VHDX"));  // Latin-1
  EXPECT_TRUE(equal_ignore_case("ÿ", "Ÿ"));                        // U+00FF -> U+0178
  EXPECT_TRUE(equal_ignore_case("Łódź", "ŁÓDŹ"));                  // Latin Extended-A, both pairings
  EXPECT_TRUE(equal_ignore_case("Σίσυφος", "ΣΊΣΥΦΟΣ"));            // Greek, final sigma
  EXPECT_TRUE(equal_ignore_case("Диск", "ДИСК"));                  // Cyrillic
  EXPECT_TRUE(equal_ignore_case("ｖｍ", "ＶＭ"));                   // fullwidth
  EXPECT_FALSE(equal_ignore_case("a.vhdx", "b.vhdx"));
  EXPECT_FALSE(equal_ignore_case("straße", "STRASSE"));  // no multi-character folding, like NTFS
  EXPECT_FALSE(equal_ignore_case("ı", "I"));             // dotless i is left alone
  EXPECT_FALSE(equal_ignore_case("仮想", "仮想ディスク"));
  // Bytes that are not UTF-8 (an ANSI name) compare exactly and survive folding.
  EXPECT_EQ(fold_case("a\xE9z"), "A\xE9Z");
}

TEST(HostpathWindowsPath, ComparesLikeWindows) {
  WinPath a = parse_windows_path("C:\\Hyper-V\\VMs\\VM.vhdx");
  EXPECT_TRUE(same_windows_path(a, parse_windows_path("\\\\?\\c:\\hyper-v\\vms\\vm.VHDX")));
  EXPECT_FALSE(same_windows_path(a, parse_windows_path("D:\\Hyper-V\\VMs\\VM.vhdx")));
  EXPECT_FALSE(same_windows_path(a, parse_windows_path("C:\\Hyper-V\\VMs")));
  EXPECT_TRUE(windows_path_starts_with(a, parse_windows_path("c:\\HYPER-V\\")));
  EXPECT_TRUE(windows_path_starts_with(a, parse_windows_path("C:\\")));
  EXPECT_FALSE(windows_path_starts_with(a, parse_windows_path("C:\\Hyper")));
  EXPECT_TRUE(same_windows_path(parse_windows_path("\\\\FS1\\vms\\a"), parse_windows_path("\\\\?\\UNC\\fs1\\VMS\\A")));
  EXPECT_FALSE(same_windows_path(parse_windows_path("\\\\fs1\\vms\\a"), parse_windows_path("\\\\fs2\\vms\\a")));
  EXPECT_TRUE(same_windows_path(parse_windows_path("\\\\?\\Volume{A3B7C1D2-4E5F-4A6B-8C9D-0E1F2A3B4C5D}\\x"),
                                parse_windows_path("\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\X")));
  EXPECT_FALSE(same_windows_path(parse_windows_path("x"), parse_windows_path("C:\\x")));
}

TEST(HostpathWindowsPath, ResolvesRelativeLocators) {
  WinPath child = parse_windows_path("C:\\Hyper-V\\VMs\\VM_AAAA.avhdx");
  EXPECT_EQ(resolve_relative(child, parse_windows_path(".\\VM.vhdx")).to_string(), "C:\\Hyper-V\\VMs\\VM.vhdx");
  EXPECT_EQ(resolve_relative(child, parse_windows_path("..\\..\\..\\..\\Base\\b.vhdx")).to_string(), "C:\\Base\\b.vhdx");
  EXPECT_EQ(resolve_relative(child, parse_windows_path("D:\\VMs\\VM.vhdx")).to_string(), "D:\\VMs\\VM.vhdx");
  EXPECT_THROW(resolve_relative(parse_windows_path("a\\b"), parse_windows_path("c")), Error);
  // Beside a *host* path, ".." is the kernel's to resolve (chain::beside, stored_path_test.cc):
  // textual ".." is right for Windows paths only.
}

TEST(HostpathClusterStorage, FindsStaleRoots) {
  auto root = [](std::string_view p) {
    std::optional<ClusterStorageRoot> r = find_cluster_storage_root(p);
    return r ? r->root + "|" + r->name : std::string("-");
  };
  EXPECT_EQ(root("C:\\ClusterStorage.000\\Volume1\\VMs\\a.vhdx"), "C:\\ClusterStorage.000|ClusterStorage.000");
  EXPECT_EQ(root("c:\\clusterstorage.12"), "c:\\clusterstorage.12|clusterstorage.12");
  EXPECT_EQ(root("/mnt/host-c/ClusterStorage.001/Volume1/x"), "/mnt/host-c/ClusterStorage.001|ClusterStorage.001");
  EXPECT_EQ(root("\\\\?\\C:\\ClusterStorage.3/x"), "\\\\?\\C:\\ClusterStorage.3|ClusterStorage.3");
  EXPECT_EQ(root("C:\\ClusterStorage\\Volume1\\x"), "-");  // the live root
  EXPECT_EQ(root("C:\\ClusterStorage.\\x"), "-");           // no digits
  EXPECT_EQ(root("C:\\ClusterStorage.000a\\x"), "-");       // not followed by a separator
  EXPECT_EQ(root("C:\\MyClusterStorage.000\\x"), "-");      // not a whole component
  EXPECT_EQ(root("ClusterStorage.000\\x"), "-");            // the regex needs a separator before
  EXPECT_EQ(root("C:\\x\\ClusterStorage\\ClusterStorage.7"), "C:\\x\\ClusterStorage\\ClusterStorage.7|ClusterStorage.7");
}

}  // namespace
}  // namespace vhdchain::hostpath
