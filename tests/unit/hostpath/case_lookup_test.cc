// lookup_case_insensitive on a real folder tree: exact, one case-insensitive match per component,
// ambiguous names, missing names, unreadable folders.
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/testdata.h"
#include "unit/hostpath/child_process.h"
#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

class HostpathCaseLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(t / "Hyper-V" / "VMs");
    for (const char* name : {"Parent.vhdx", "a.vhdx", "A.vhdx", "\xC3\x84rger.vhdx"})
      std::ofstream(t / "Hyper-V" / "VMs" / name) << name;
    base = t.path().string();
  }
  CaseLookup lookup(const Strings& components) { return lookup_case_insensitive(base, components); }
  std::string in_vms(const std::string& name) { return base + "/Hyper-V/VMs/" + name; }

  vhdchain::test::TempDir t;
  std::string base;
};

TEST_F(HostpathCaseLookup, ExactPath) {
  CaseLookup r = lookup({"Hyper-V", "VMs", "Parent.vhdx"});
  EXPECT_EQ(r.status, LookupStatus::exact);
  EXPECT_EQ(r.path, in_vms("Parent.vhdx"));
  EXPECT_TRUE(r.differences.empty());
  // An exact entry wins even when a case variant exists beside it.
  CaseLookup a = lookup({"Hyper-V", "VMs", "a.vhdx"});
  EXPECT_EQ(a.status, LookupStatus::exact);
  EXPECT_EQ(a.path, in_vms("a.vhdx"));
}

TEST_F(HostpathCaseLookup, EveryDifferingComponentIsNamed) {
  CaseLookup r = lookup({"hyper-v", "VMs", "PARENT.VHDX"});
  EXPECT_EQ(r.status, LookupStatus::case_differs);
  EXPECT_EQ(to_string(r.status), "case_differs");
  EXPECT_EQ(r.path, in_vms("Parent.vhdx"));
  ASSERT_EQ(r.differences.size(), 2u);
  EXPECT_EQ(r.differences[0].index, 0u);
  EXPECT_EQ(r.differences[0].asked, "hyper-v");
  EXPECT_EQ(r.differences[0].found, "Hyper-V");
  EXPECT_EQ(r.differences[1].index, 2u);
  EXPECT_EQ(r.differences[1].asked, "PARENT.VHDX");
  EXPECT_EQ(r.differences[1].found, "Parent.vhdx");

  CaseLookup umlaut = lookup({"Hyper-V", "VMs", "\xC3\xA4RGER.vhdx"});
  EXPECT_EQ(umlaut.status, LookupStatus::case_differs);
  EXPECT_EQ(umlaut.path, in_vms("\xC3\x84rger.vhdx"));
}

TEST_F(HostpathCaseLookup, TwoNamesDifferingOnlyInCaseAreAmbiguous) {
  CaseLookup r = lookup({"HYPER-V", "VMs", "a.VHDX"});
  EXPECT_EQ(r.status, LookupStatus::ambiguous);
  EXPECT_EQ(r.component, 2u);
  EXPECT_EQ(r.path, base + "/Hyper-V/VMs");
  EXPECT_EQ(r.candidates, (Strings{in_vms("A.vhdx"), in_vms("a.vhdx")}));
}

TEST_F(HostpathCaseLookup, MissingComponentIsNamed) {
  CaseLookup r = lookup({"Hyper-V", "Snapshots", "x.avhdx"});
  EXPECT_EQ(r.status, LookupStatus::not_found);
  EXPECT_EQ(r.component, 1u);
  EXPECT_EQ(r.path, base + "/Hyper-V");
  EXPECT_EQ(r.error, ENOENT);

  CaseLookup under_file = lookup({"Hyper-V", "VMs", "Parent.vhdx", "x"});
  EXPECT_EQ(under_file.status, LookupStatus::not_found);
  EXPECT_EQ(under_file.component, 3u);
  EXPECT_EQ(under_file.path, in_vms("Parent.vhdx"));
  EXPECT_EQ(under_file.error, ENOTDIR);

  CaseLookup no_base = lookup_case_insensitive(base + "/nope", Strings{"x"});
  EXPECT_EQ(no_base.status, LookupStatus::not_found);
  EXPECT_EQ(no_base.component, CaseLookup::kBase);
  EXPECT_EQ(no_base.path, base + "/nope");
  EXPECT_EQ(no_base.error, ENOENT);

  CaseLookup nothing = lookup({});
  EXPECT_EQ(nothing.status, LookupStatus::exact);
  EXPECT_EQ(nothing.path, base);
}

TEST_F(HostpathCaseLookup, UnreadableFolderIsNotNotFound) {
  fs::create_directories(t / "locked" / "Sub");
  ASSERT_EQ(::chmod((t / "locked").c_str(), 0), 0);
  test::ChildResult r = test::run_in_child([&] {
    test::become_nobody_if_root();
    test::require_access(t.path().string());
    CaseLookup l = lookup({"locked", "sub"});
    return std::string(to_string(l.status)) + " " + std::to_string(l.component) + " " + std::to_string(l.error) +
           " " + l.path;
  });
  ::chmod((t / "locked").c_str(), 0700);
  if (r.kind == test::ChildResult::skipped) GTEST_SKIP() << r.text;
  ASSERT_EQ(r.kind, test::ChildResult::ok) << r.text;
  EXPECT_EQ(r.text, "unreadable 1 " + std::to_string(EACCES) + " " + base + "/locked");
}

TEST_F(HostpathCaseLookup, ResolveOnHostMapsThenLooksUp) {
  PathMap map;
  map.add(parse_path_mapping("C:\\=" + base));
  HostResolution r = resolve_on_host(parse_windows_path("C:\\HYPER-V\\vms\\parent.vhdx"), map);
  ASSERT_TRUE(r.mapped);
  EXPECT_EQ(r.mapped->host_path, base + "/HYPER-V/vms/parent.vhdx");
  EXPECT_EQ(r.lookup.status, LookupStatus::case_differs);
  EXPECT_EQ(r.lookup.differences.size(), 3u);
  EXPECT_EQ(r.host_path(), in_vms("Parent.vhdx"));

  HostResolution missing = resolve_on_host(parse_windows_path("C:\\Hyper-V\\VMs\\gone.vhdx"), map);
  EXPECT_EQ(missing.lookup.status, LookupStatus::not_found);
  EXPECT_EQ(missing.host_path(), in_vms("gone.vhdx"));

  HostResolution unmapped = resolve_on_host(parse_windows_path("D:\\x"), map);
  EXPECT_FALSE(unmapped.mapped);
  EXPECT_EQ(unmapped.host_path(), "");
}

}  // namespace
}  // namespace vhdchain::hostpath
