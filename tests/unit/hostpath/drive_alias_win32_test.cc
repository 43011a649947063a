// One folder through two drive letters, seen through the Win32 APIs: the Windows form of the
// alias vhdchain exists to find (docs/windows.md, "Under wine").
//
// Where the drives come from:
//   - VHDCHAIN_TEST_ALIAS_DRIVES="X Y" (set by scripts/windows-test.sh, which points the wine
//     prefix's dosdevices/x: and y: at one Unix folder, so wine sees two drives);
//   - otherwise two free letters are mapped to a temp folder with DefineDosDeviceW, which is what
//     `subst` does (no admin rights needed on Windows); skipped if the system refuses.
// What must hold everywhere: FileIdInfo gives one identity through both letters, and the pair
// analysis names one path as the alias of the other (under wine: hostpath.mount_alias, through the
// volume serial number both letters share). The volume APIs' answers are recorded (and
// printed) because they differ: on Windows a subst drive is no volume mount point at all, wine
// gives each drive letter a volume of its own, and only a real second mount point of one volume
// (D:\ and C:\Hyper-V\) is listed twice by GetVolumePathNamesForVolumeNameW.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "hostpath/volumes_win32.h"
#include "io/win32.h"
#include "unit/hostpath/win32_temp.h"
#include "unit/hostpath/wine.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

using test::Win32TempDir;

// Two drive letters mapped with DefineDosDeviceW for the test's lifetime.
class SubstDrives {
 public:
  explicit SubstDrives(const std::string& target) {
    const DWORD used = ::GetLogicalDrives();
    for (char letter = 'Z'; letter >= 'M' && letters_.size() < 2; --letter) {
      if (used & (1u << (letter - 'A'))) continue;
      const std::wstring device{static_cast<wchar_t>(letter), L':'};
      if (::DefineDosDeviceW(0, device.c_str(), win32::widen(target).c_str())) letters_.push_back(letter);
    }
  }
  ~SubstDrives() {
    for (char letter : letters_) {
      const std::wstring device{static_cast<wchar_t>(letter), L':'};
      ::DefineDosDeviceW(DDD_REMOVE_DEFINITION, device.c_str(), nullptr);
    }
  }
  const std::string& letters() const { return letters_; }

 private:
  std::string letters_;
};

std::string describe_volume(const std::string& mount_point) {
  std::optional<std::string> volume = live::volume_name_for_mount_point(mount_point);
  if (!volume) return "GetVolumeNameForVolumeMountPointW failed (" + std::to_string(::GetLastError()) + ")";
  std::string out = *volume + " mounted at";
  if (std::optional<std::vector<std::string>> mounts = live::mount_points_of_volume(*volume))
    for (const std::string& m : *mounts) out += " " + m;
  return out;
}

TEST(HostpathDriveAliasWin32, OneFolderThroughTwoDriveLetters) {
  std::string letters;
  std::optional<Win32TempDir> folder;
  std::optional<SubstDrives> subst;
  if (const char* env = std::getenv("VHDCHAIN_TEST_ALIAS_DRIVES")) {
    for (const char* c = env; *c; ++c)
      if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')) letters.push_back(static_cast<char>(*c & ~0x20));
    ASSERT_EQ(letters.size(), 2u) << "VHDCHAIN_TEST_ALIAS_DRIVES=\"" << env << "\": want two drive letters";
  } else {
    folder.emplace();
    subst.emplace(folder->path());
    letters = subst->letters();
    if (letters.size() < 2) GTEST_SKIP() << "DefineDosDeviceW could not map two drive letters";
    // Wine accepts the definitions but resolves drive letters through $WINEPREFIX/dosdevices only.
    for (char letter : letters)
      if (::GetFileAttributesW(win32::widen(std::string(1, letter) + ":\\").c_str()) == INVALID_FILE_ATTRIBUTES)
        GTEST_SKIP() << "drive " << letter << ": was defined with DefineDosDeviceW but does not open (wine?); "
                     << "set VHDCHAIN_TEST_ALIAS_DRIVES to two drive letters that share a folder";
  }
  const std::string root_a = std::string(1, letters[0]) + ":\\";
  const std::string root_b = std::string(1, letters[1]) + ":\\";
  const std::string name = "alias-" + std::to_string(::GetCurrentProcessId()) + ".vhdx";
  const std::string via_a = root_a + name;
  // The second path as a locator might hold it: other case, '/' separators.
  std::string via_b = std::string(1, letters[1]) + ":/" + name;
  for (char& c : via_b) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  test::win32_write(via_a, "one file");

  FileIdentityResult id_a = file_identity(via_a);
  FileIdentityResult id_b = file_identity(via_b);
  ASSERT_TRUE(id_a.ok()) << via_a << ": " << id_a.error;
  ASSERT_TRUE(id_b.ok()) << via_b << ": " << id_b.error;
  EXPECT_EQ(id_a.identity, id_b.identity) << "FileIdInfo differs between the two drive letters";
  win32::Handle h = win32::open_for_query(win32::widen(via_b));
  std::optional<win32::FileId> raw = win32::file_id_of(h.get());
  ASSERT_TRUE(raw);
  EXPECT_TRUE(raw->from_file_id_info) << "GetFileInformationByHandleEx(FileIdInfo) is not answered here";
  h = win32::Handle();

  const std::vector<PathFacts> facts = {probe_host_path(MountTable{}, via_a), probe_host_path(MountTable{}, via_b)};
  ASSERT_TRUE(facts[0].location && facts[1].location);
  std::optional<AliasFinding> finding = analyze_host_pair(facts[0], 0, facts[1], 1);
  ASSERT_TRUE(finding) << "no finding for one file through two drive letters";
  // mount_alias when both letters are mount points of one volume; same_file when the system
  // resolves both to one path (a subst drive, or wine's final path).
  EXPECT_TRUE(finding->code == AliasCode::mount_alias || finding->code == AliasCode::same_file)
      << to_string(finding->code);
  // Wine's letters are drives onto one Unix folder with one volume serial number: each path keeps
  // the letter it was reached by, and the serial number makes them one file system.
  if (test::wine_version()) {
    EXPECT_EQ(finding->code, AliasCode::mount_alias) << finding->detail;
  }
  EXPECT_EQ(finding->alias, via_b);
  ASSERT_FALSE(finding->canonical.empty());
  EXPECT_EQ(file_identity(finding->canonical).identity, id_a.identity) << finding->canonical;

  // What the volume APIs say, for docs/windows.md.
  const std::string report = std::string(to_string(finding->code)) + ": canonical " + finding->canonical + ", alias " +
                             finding->alias + "; " + root_a + " -> " + describe_volume(root_a) + "; " + root_b + " -> " +
                             describe_volume(root_b) + "; final path " +
                             live::final_path_name(via_b, VOLUME_NAME_DOS).value_or("?") + "; identity " +
                             id_a.identity.to_string();
  RecordProperty("apis", report);
  std::printf("[ drive alias ] %s\n", report.c_str());

  // Where the volume APIs do see one volume behind both letters, they must list both.
  std::optional<std::string> volume_a = live::volume_name_for_mount_point(root_a);
  if (volume_a && volume_a == live::volume_name_for_mount_point(root_b)) {
    EXPECT_EQ(finding->code, AliasCode::mount_alias);
    std::optional<std::vector<std::string>> mounts = live::mount_points_of_volume(*volume_a);
    ASSERT_TRUE(mounts);
    EXPECT_NE(std::find(mounts->begin(), mounts->end(), root_a), mounts->end());
    EXPECT_NE(std::find(mounts->begin(), mounts->end(), root_b), mounts->end());
  }
  ::DeleteFileW(win32::widen(via_a).c_str());
}

// One volume at two mount points (seed 000: D:\ and C:\Hyper-V\): the same place through both is
// a mount alias, and GetVolumePathNamesForVolumeNameW is what tells. Mounting a volume a second
// time needs administrator rights, so the test uses one the machine already has. The file need not
// exist: a missing parent is placed all the same.
TEST(HostpathDriveAliasWin32, OneVolumeAtTwoMountPointsIsAMountAlias) {
  std::optional<WindowsVolume> shared;
  for (const WindowsVolume& v : live::list_volumes())
    if (v.mount_points.size() >= 2 && !shared) shared = v;
  if (!shared) {
    if (std::optional<std::string> wine = test::wine_version())
      GTEST_SKIP() << *wine << " gives every drive letter a volume of its own, so no volume has two mount points";
    GTEST_SKIP() << "no volume on this machine has two mount points (mountvol <folder> \\\\?\\Volume{...}\\ makes one)";
  }
  const std::string name = "vhdchain-mount-alias-" + std::to_string(::GetCurrentProcessId()) + ".vhdx";
  const PathFacts a = probe_host_path(MountTable{}, shared->mount_points[0] + name);
  const PathFacts b = probe_host_path(MountTable{}, shared->mount_points[1] + name);
  ASSERT_TRUE(a.location && b.location);
  EXPECT_EQ(a.location->volume, shared->guid_path);
  EXPECT_EQ(b.location->volume, shared->guid_path);
  std::optional<AliasFinding> finding = analyze_host_pair(a, 0, b, 1);
  ASSERT_TRUE(finding) << shared->mount_points[0] << " and " << shared->mount_points[1];
  EXPECT_EQ(finding->code, AliasCode::mount_alias) << to_string(finding->code) << ": " << finding->detail;
}

}  // namespace
}  // namespace vhdchain::hostpath
