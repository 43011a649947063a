// lookup_case_insensitive on Windows: the system already ignores case, so the lookup reports the
// stored case (FindFirstFileW per component) and where a path stops existing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/hostpath/win32_temp.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

using test::Win32TempDir;

TEST(HostpathCaseLookupWin32, ExactAndStoredCase) {
  Win32TempDir t;
  test::win32_mkdir(t / "Hyper-V");
  test::win32_write(t / "Hyper-V\\Parent.vhdx", "p");

  const std::vector<std::string> exact = {"Hyper-V", "Parent.vhdx"};
  CaseLookup same = lookup_case_insensitive(t.path(), exact);
  EXPECT_EQ(same.status, LookupStatus::exact);
  EXPECT_EQ(same.path, t / "Hyper-V\\Parent.vhdx");
  EXPECT_TRUE(same.differences.empty());

  const std::vector<std::string> shouted = {"HYPER-V", "parent.VHDX"};
  CaseLookup differs = lookup_case_insensitive(t.path(), shouted);
  EXPECT_EQ(differs.status, LookupStatus::case_differs);
  EXPECT_EQ(differs.path, t / "Hyper-V\\Parent.vhdx");
  ASSERT_EQ(differs.differences.size(), 2u);
  EXPECT_EQ(differs.differences[0].index, 0u);
  EXPECT_EQ(differs.differences[0].asked, "HYPER-V");
  EXPECT_EQ(differs.differences[0].found, "Hyper-V");
  EXPECT_EQ(differs.differences[1].found, "Parent.vhdx");
}

TEST(HostpathCaseLookupWin32, NonAsciiNamesFoldToo) {
  Win32TempDir t;
  test::win32_mkdir(t / "Диски");
  const std::vector<std::string> asked = {"дИСКИ"};
  CaseLookup r = lookup_case_insensitive(t.path(), asked);
  EXPECT_EQ(r.status, LookupStatus::case_differs);
  ASSERT_EQ(r.differences.size(), 1u);
  EXPECT_EQ(r.differences[0].found, "Диски");
}

TEST(HostpathCaseLookupWin32, WhereThePathStops) {
  Win32TempDir t;
  test::win32_mkdir(t / "VMs");
  test::win32_write(t / "VMs\\file.vhdx", "x");

  const std::vector<std::string> missing = {"vms", "gone.vhdx"};
  CaseLookup r = lookup_case_insensitive(t.path(), missing);
  EXPECT_EQ(r.status, LookupStatus::not_found);
  EXPECT_EQ(r.component, 1u);
  EXPECT_EQ(r.path, t / "VMs");
  EXPECT_EQ(r.error, ERROR_FILE_NOT_FOUND);

  const std::vector<std::string> wildcard = {"V*"};
  CaseLookup w = lookup_case_insensitive(t.path(), wildcard);
  EXPECT_EQ(w.status, LookupStatus::not_found);  // a pattern is not a name
  EXPECT_EQ(w.component, 0u);

  const std::vector<std::string> under_file = {"VMs", "file.vhdx", "x"};
  CaseLookup f = lookup_case_insensitive(t.path(), under_file);
  EXPECT_EQ(f.status, LookupStatus::not_found);
  EXPECT_EQ(f.component, 2u);
  EXPECT_EQ(f.error, ERROR_DIRECTORY);
  EXPECT_EQ(f.path, t / "VMs\\file.vhdx");

  const std::vector<std::string> any = {"x"};
  CaseLookup base = lookup_case_insensitive(t / "no-base", any);
  EXPECT_EQ(base.status, LookupStatus::not_found);
  EXPECT_EQ(base.component, CaseLookup::kBase);
  EXPECT_EQ(base.error, ERROR_FILE_NOT_FOUND);
}

}  // namespace
}  // namespace vhdchain::hostpath
