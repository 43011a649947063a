// WindowsVolumeSet: mountvol text in the encodings Windows shells write, Win32_Volume pairs, and
// resolving Windows paths to volumes and their aliases.
#include <gtest/gtest.h>

#include "base/utf16.h"
#include "unit/hostpath/fixtures.h"
#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

using Strings = std::vector<std::string>;

constexpr const char* kSystem = "\\\\?\\Volume{6f1b3a52-0000-0000-0000-100000000000}\\";
constexpr const char* kC = "\\\\?\\Volume{6f1b3a52-0000-0000-0000-501f00000000}\\";
constexpr const char* kD = "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\";
constexpr const char* kCsv = "\\\\?\\Volume{5d0c9e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6}\\";
constexpr const char* kE = "\\\\?\\Volume{e2d1c0b9-0000-0000-0000-000000000000}\\";

std::vector<uint8_t> bytes_of(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

std::vector<uint8_t> with_prefix(std::vector<uint8_t> prefix, const std::vector<uint8_t>& body) {
  prefix.insert(prefix.end(), body.begin(), body.end());
  return prefix;
}

void expect_fixture_volumes(const WindowsVolumeSet& set) {
  const std::vector<WindowsVolume>& v = set.volumes();
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0].guid_path, kSystem);
  EXPECT_EQ(v[0].mount_points, Strings{});
  EXPECT_EQ(v[1].guid_path, kC);
  EXPECT_EQ(v[1].mount_points, Strings{"C:\\"});
  EXPECT_EQ(v[2].guid_path, kD);  // the GUID was upper case in the text
  EXPECT_EQ(v[2].mount_points, (Strings{"D:\\", "C:\\Hyper-V\\"}));
  EXPECT_EQ(v[3].guid_path, kCsv);
  EXPECT_EQ(v[3].mount_points, (Strings{"C:\\ClusterStorage.000\\Volume1\\", "C:\\ClusterStorage\\Volume1\\"}));
  EXPECT_EQ(v[4].guid_path, kE);
  EXPECT_EQ(v[4].mount_points, Strings{"E:\\"});
}

TEST(HostpathMountvol, AsciiWithCrlf) {
  expect_fixture_volumes(WindowsVolumeSet::from_mountvol(bytes_of(test::kMountvol), "mountvol.txt"));
}

TEST(HostpathMountvol, LfOnlyAndUtf8Bom) {
  std::string lf;
  for (char c : test::kMountvol)
    if (c != '\r') lf.push_back(c);
  expect_fixture_volumes(WindowsVolumeSet::from_mountvol(bytes_of(lf), "lf.txt"));
  expect_fixture_volumes(WindowsVolumeSet::from_mountvol(with_prefix({0xEF, 0xBB, 0xBF}, bytes_of(test::kMountvol)), "bom.txt"));
}

TEST(HostpathMountvol, Utf16LittleEndianWithAndWithoutBom) {
  std::vector<uint8_t> le = utf8_to_utf16(test::kMountvol, Endian::little);
  // PowerShell 5.1 `mountvol > file` writes this: FF FE, then UTF-16LE.
  expect_fixture_volumes(WindowsVolumeSet::from_mountvol(with_prefix({0xFF, 0xFE}, le), "ps51.txt"));
  expect_fixture_volumes(WindowsVolumeSet::from_mountvol(le, "nobom.txt"));
  std::vector<uint8_t> be = utf8_to_utf16(test::kMountvol, Endian::big);
  expect_fixture_volumes(WindowsVolumeSet::from_mountvol(with_prefix({0xFE, 0xFF}, be), "be.txt"));
}

TEST(HostpathMountvol, DecodeWindowsText) {
  EXPECT_EQ(decode_windows_text(bytes_of("\xEF\xBB\xBF[1]")), "[1]");
  EXPECT_EQ(decode_windows_text(std::vector<uint8_t>{0xFF, 0xFE, '[', 0, 0xE9, 0, ']', 0}), "[\xC3\xA9]");
  EXPECT_EQ(decode_windows_text(std::vector<uint8_t>{'{', 0, '}', 0}), "{}");
  EXPECT_EQ(decode_windows_text(bytes_of("plain \xE9")), "plain \xE9");  // ANSI passes unchanged
  EXPECT_EQ(decode_windows_text({}), "");
}

TEST(HostpathMountvol, LocalisedHeaderAndMarker) {
  // Japanese Windows translates the header and the marker; the structure is what we key on.
  std::string ja =
      "\xE3\x83\x9C\xE3\x83\xAA\xE3\x83\xA5\xE3\x83\xBC\xE3\x83\xA0 \xE3\x83\x9E\xE3\x82\xA6\xE3\x83\xB3\xE3\x83\x88 "
      "\xE3\x83\x9D\xE3\x82\xA4\xE3\x83\xB3\xE3\x83\x88:\r\n"
      "\r\n"
      "    \\\\?\\Volume{6f1b3a52-0000-0000-0000-100000000000}\\\r\n"
      "        *** \xE3\x83\x9E\xE3\x82\xA6\xE3\x83\xB3\xE3\x83\x88 \xE3\x83\x9D\xE3\x82\xA4\xE3\x83\xB3\xE3\x83\x88"
      "\xE3\x81\xAA\xE3\x81\x97 ***\r\n"
      "\r\n"
      "    \\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\\r\n"
      "        D:\\\r\n"
      "        C:\\\xE4\xBB\xAE\xE6\x83\xB3\xE3\x83\x9E\xE3\x82\xB7\xE3\x83\xB3\\\r\n";
  WindowsVolumeSet set = WindowsVolumeSet::from_mountvol(utf8_to_utf16(ja, Endian::little), "ja.txt");
  ASSERT_EQ(set.volumes().size(), 2u);
  EXPECT_EQ(set.volumes()[0].mount_points, Strings{});
  EXPECT_EQ(set.volumes()[1].mount_points,
            (Strings{"D:\\", "C:\\\xE4\xBB\xAE\xE6\x83\xB3\xE3\x83\x9E\xE3\x82\xB7\xE3\x83\xB3\\"}));
}

void expect_format_error(std::string_view text, const std::string& message) {
  try {
    WindowsVolumeSet::from_mountvol(bytes_of(text), "vol.txt");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::format);
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(HostpathMountvol, ErrorsNameTheFileAndLine) {
  expect_format_error("[{\"DeviceID\": \"x\"}]",
                      "vol.txt: no \\\\?\\Volume{GUID}\\ line found: is this the output of mountvol?");
  expect_format_error("header\n  \\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\\n    garbage here\n",
                      "vol.txt: line 3: \"garbage here\" is neither a volume GUID path nor a drive letter or folder "
                      "mount point");
  expect_format_error("\\\\?\\Volume{a3b7c1d2}\\\n", "vol.txt: line 1: \"\\\\?\\Volume{a3b7c1d2}\\\" is not a volume GUID path");
  expect_format_error(
      "\\\\?\\Volume{a3b7c1d2-4e5f-4a6b-8c9d-0e1f2a3b4c5d}\\\n  C:\\\n"
      "\\\\?\\Volume{6f1b3a52-0000-0000-0000-100000000000}\\\n  c:\\\n",
      "vol.txt: windows volume list: mount point \"C:\\\" is listed for two volumes");
}

TEST(HostpathVolumes, FromWin32VolumePairs) {
  // Get-CimInstance Win32_Volume | Select DeviceID,Name: one Name per volume, the GUID path when it
  // has no letter; a second row for the same DeviceID (Win32_MountPoint) adds a folder.
  std::vector<std::pair<std::string, std::string>> pairs = {
      {kSystem, kSystem},
      {kC, "C:\\"},
      {"\\\\?\\Volume{A3B7C1D2-4E5F-4A6B-8C9D-0E1F2A3B4C5D}\\", "D:\\"},
      {kD, "c:\\Hyper-V"},
      {kE, ""},
  };
  WindowsVolumeSet set = WindowsVolumeSet::from_device_names(pairs);
  const std::vector<WindowsVolume>& v = set.volumes();
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].guid_path, kSystem);
  EXPECT_EQ(v[0].mount_points, Strings{});
  EXPECT_EQ(v[1].mount_points, Strings{"C:\\"});
  EXPECT_EQ(v[2].guid_path, kD);
  EXPECT_EQ(v[2].mount_points, (Strings{"D:\\", "C:\\Hyper-V\\"}));
  EXPECT_EQ(v[3].guid_path, kE);
  EXPECT_EQ(v[3].mount_points, Strings{});

  std::vector<std::pair<std::string, std::string>> bad = {{"C:\\", "C:\\"}};
  try {
    WindowsVolumeSet::from_device_names(bad);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(std::string(e.what()), "windows volume list: \"C:\\\" is not a \\\\?\\Volume{GUID}\\ path");
  }
  std::vector<std::pair<std::string, std::string>> share = {{kC, "\\\\fs1\\vms"}};
  EXPECT_THROW(WindowsVolumeSet::from_device_names(share), Error);
}

class HostpathVolumeSet : public ::testing::Test {
 protected:
  WindowsVolumeSet set = WindowsVolumeSet::from_mountvol(bytes_of(test::kMountvol), "mountvol.txt");

  std::string where(std::string_view path) {
    std::optional<VolumePlace> p = set.locate(parse_windows_path(path));
    if (!p) return "-";
    return std::to_string(p->volume) + "|" + p->guid_path + "|" + p->mount_point + "|" + p->inner_path();
  }
  Strings aliases(std::string_view path) {
    Strings out;
    for (const WinPath& a : set.aliases(*set.locate(parse_windows_path(path)))) out.push_back(a.to_string());
    return out;
  }
};

TEST_F(HostpathVolumeSet, LocatesThroughTheLongestMountPoint) {
  EXPECT_EQ(where("C:\\Hyper-V\\VMs\\VM.vhdx"), std::string("2|") + kD + "|C:\\Hyper-V\\|\\VMs\\VM.vhdx");
  EXPECT_EQ(where("c:\\HYPER-V\\vms\\vm.vhdx"), std::string("2|") + kD + "|C:\\Hyper-V\\|\\vms\\vm.vhdx");
  EXPECT_EQ(where("\\\\?\\D:\\VMs\\VM.vhdx"), std::string("2|") + kD + "|D:\\|\\VMs\\VM.vhdx");
  EXPECT_EQ(where("C:\\Hyper-Vx\\a"), std::string("1|") + kC + "|C:\\|\\Hyper-Vx\\a");
  EXPECT_EQ(where("C:\\"), std::string("1|") + kC + "|C:\\|\\");
  EXPECT_EQ(where("C:\\Hyper-V"), std::string("2|") + kD + "|C:\\Hyper-V\\|\\");
  EXPECT_EQ(where("\\\\?\\Volume{A3B7C1D2-4E5F-4A6B-8C9D-0E1F2A3B4C5D}\\VMs\\x"), std::string("2|") + kD + "||\\VMs\\x");
  EXPECT_EQ(where("\\\\?\\Volume{00000000-0000-0000-0000-000000000001}\\x"), "-");
  EXPECT_EQ(where("F:\\x"), "-");
  EXPECT_EQ(where("\\\\fs1\\vms\\x"), "-");
  EXPECT_EQ(where("VMs\\x"), "-");
}

TEST_F(HostpathVolumeSet, AliasesCanonicalFirstGuidLast) {
  EXPECT_EQ(aliases("C:\\Hyper-V\\VMs\\VM.vhdx"),
            (Strings{"D:\\VMs\\VM.vhdx", "C:\\Hyper-V\\VMs\\VM.vhdx", std::string(kD) + "VMs\\VM.vhdx"}));
  EXPECT_EQ(aliases(std::string(kD) + "VMs\\VM.vhdx"),
            (Strings{"D:\\VMs\\VM.vhdx", "C:\\Hyper-V\\VMs\\VM.vhdx", std::string(kD) + "VMs\\VM.vhdx"}));
  // The live CSV root before the stale ClusterStorage.000 one, although both are folders.
  EXPECT_EQ(aliases("C:\\ClusterStorage.000\\Volume1\\VMs\\a.vhdx"),
            (Strings{"C:\\ClusterStorage\\Volume1\\VMs\\a.vhdx", "C:\\ClusterStorage.000\\Volume1\\VMs\\a.vhdx",
                     std::string(kCsv) + "VMs\\a.vhdx"}));
  EXPECT_EQ(aliases(std::string(kSystem) + "EFI"), (Strings{std::string(kSystem) + "EFI"}));
  EXPECT_EQ(set.canonical(*set.locate(parse_windows_path("C:\\Hyper-V\\x"))).to_string(), "D:\\x");
}

TEST(HostpathVolumes, AliasHiddenByAnotherVolumesMountPoint) {
  // Volume A at X:\ and C:\A\; volume B mounted at X:\Data\. A's own Data folder is reachable only
  // through C:\A\Data: X:\Data\f is a file on B.
  WindowsVolumeSet set({{"\\\\?\\Volume{aaaaaaaa-0000-0000-0000-000000000000}\\", {"X:\\", "C:\\A\\"}},
                        {"\\\\?\\Volume{bbbbbbbb-0000-0000-0000-000000000000}\\", {"X:\\Data\\"}}});
  std::optional<VolumePlace> p = set.locate(parse_windows_path("C:\\A\\Data\\f"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->volume, 0u);
  Strings names;
  for (const WinPath& a : set.aliases(*p)) names.push_back(a.to_string());
  EXPECT_EQ(names, (Strings{"C:\\A\\Data\\f", "\\\\?\\Volume{aaaaaaaa-0000-0000-0000-000000000000}\\Data\\f"}));
}

}  // namespace
}  // namespace vhdchain::hostpath
