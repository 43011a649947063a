// Parent resolution: candidate order per format, every outcome recorded, the missing-parent error,
// and open_chain walking fake layers.
#include <gtest/gtest.h>

#include "unit/chain/fake_fs.h"
#include "vhdchain/chain.h"
#include "vhdchain/error.h"

namespace vhdchain {
namespace {

using test::entry;
using test::FakeFs;
using test::kErrAccessDenied;
using test::kErrNotFound;
using test::guid;
using test::image_spec;

const Guid kBase = guid("11111111-1111-1111-1111-111111111111");
const Guid kOther = guid("22222222-2222-2222-2222-222222222222");
const Guid kMid = guid("33333333-3333-3333-3333-333333333333");
const Guid kLeaf = guid("44444444-4444-4444-4444-444444444444");
const char* kVolume = "\\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}";

ParentLink vhdx_link(const Guid& linkage, std::vector<LocatorEntry> paths) {
  ParentLink link;
  link.linkage = linkage;
  link.linkage2 = Guid{};  // Hyper-V writes an all-zero parent_linkage2
  link.locators.push_back(entry("parent_linkage", linkage.to_braced_string()));
  for (auto& e : paths) link.locators.push_back(std::move(e));
  return link;
}

ParentLink hyperv_link(const Guid& linkage, const std::string& file) {
  return vhdx_link(linkage, {entry("relative_path", ".\\" + file), entry("volume_path", std::string(kVolume) + "\\vms\\" + file),
                             entry("absolute_win32_path", "C:\\vms\\" + file)});
}

std::vector<ChainLayer> child_chain(FakeFs& fs, const std::string& path) {
  OpenedImage o = fs.open(path);
  return {ChainLayer{.path = path, .image = o.image, .key = o.key}};
}

struct Expect {
  std::string locator;
  std::string path;
  CandidateOutcome outcome;
  bool beside = false;
};

void expect_candidates(const std::vector<ParentCandidate>& got, const std::vector<Expect>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("candidate " + std::to_string(i));
    EXPECT_EQ(got[i].locator, want[i].locator);
    EXPECT_EQ(got[i].path, want[i].path);
    EXPECT_EQ(to_string(got[i].outcome), to_string(want[i].outcome)) << got[i].detail;
    EXPECT_EQ(got[i].beside_child, want[i].beside);
  }
}

TEST(ParentCandidates, VhdxOrderIsRelativeVolumeAbsoluteThenFileNamesBesideTheChild) {
  FakeFs fs;
  fs.images["/vms/c/child.avhdx"] = image_spec(kLeaf, 8,
      vhdx_link(kBase, {entry("absolute_win32_path", "C:\\x\\c.vhdx"), entry("relative_path", ".\\a.vhdx"),
                        entry("volume_path", std::string(kVolume) + "\\x\\b.vhdx")}));
  auto chain = child_chain(fs, "/vms/c/child.avhdx");
  auto got = parent_candidates(chain[0].path, *chain[0].image);
  expect_candidates(got, {
      {"relative_path", "/vms/c/a.vhdx", CandidateOutcome::not_tried},
      {"volume_path", "", CandidateOutcome::unresolvable},
      {"absolute_win32_path", "", CandidateOutcome::unresolvable},
      {"volume_path", "/vms/c/b.vhdx", CandidateOutcome::not_tried, true},
      {"absolute_win32_path", "/vms/c/c.vhdx", CandidateOutcome::not_tried, true},
  });
  EXPECT_EQ(got[1].detail, "volume path, not resolvable on this host (no volume map)");
  EXPECT_EQ(got[2].detail, "Windows path, no mapping to this host");
  EXPECT_EQ(got[2].stored, "C:\\x\\c.vhdx");
}

TEST(ParentCandidates, PosixAbsolutePathIsTriedAsIsAndMappedWindowsPathsAreUsed) {
  FakeFs fs;
  fs.images["child.avhdx"] = image_spec(kLeaf, 8,
      vhdx_link(kBase, {entry("relative_path", "..\\base\\p.vhdx"), entry("absolute_win32_path", "/srv/base/p.vhdx")}));
  auto chain = child_chain(fs, "child.avhdx");
  expect_candidates(parent_candidates("child.avhdx", *chain[0].image), {
      {"relative_path", "../base/p.vhdx", CandidateOutcome::not_tried},
      {"absolute_win32_path", "/srv/base/p.vhdx", CandidateOutcome::not_tried},
      {"relative_path", "p.vhdx", CandidateOutcome::not_tried, true},
  });

  fs.images["win.avhdx"] = image_spec(kLeaf, 8, hyperv_link(kBase, "p.vhdx"));
  auto win = child_chain(fs, "win.avhdx");
  WindowsPathMapper map = [](std::string_view stored) -> std::optional<std::string> {
    if (stored == "C:\\vms\\p.vhdx") return "/mnt/c/vms/p.vhdx";
    return std::nullopt;
  };
  expect_candidates(parent_candidates("in/win.avhdx", *win[0].image, map), {
      {"relative_path", "in/p.vhdx", CandidateOutcome::not_tried},
      {"volume_path", "", CandidateOutcome::unresolvable},
      {"absolute_win32_path", "/mnt/c/vms/p.vhdx", CandidateOutcome::not_tried},
  });
}

TEST(ParentCandidates, VhdOrderIsW2ruW2kuNameWi2rWi2k) {
  FakeFs fs;
  ParentLink link;
  link.linkage = kBase;
  link.name = "C:\\old\\renamed.vhd";
  // Hyper-V fills slot 1 with W2ku and slot 2 with W2ru: order comes from the code, not the slot.
  link.locators = {entry("W2ku", "C:\\vms\\base.vhd"), entry("W2ru", ".\\base.vhd"), entry("Wi2k", "D:\\legacy.vhd"),
                   entry("Wi2r", "..\\legacy\\base.vhd")};
  fs.images["/d/child.vhd"] = image_spec(kLeaf, 8, link, DiskFormat::vhd);
  auto chain = child_chain(fs, "/d/child.vhd");
  expect_candidates(parent_candidates("/d/child.vhd", *chain[0].image), {
      {"W2ru", "/d/base.vhd", CandidateOutcome::not_tried},
      {"W2ku", "", CandidateOutcome::unresolvable},
      {"parent_name", "/d/renamed.vhd", CandidateOutcome::not_tried, true},
      {"Wi2r", "/d/../legacy/base.vhd", CandidateOutcome::not_tried},
      {"Wi2k", "", CandidateOutcome::unresolvable},
      {"Wi2k", "/d/legacy.vhd", CandidateOutcome::not_tried, true},
  });
}

TEST(ParentCandidates, NoneForADiskWithoutParent) {
  FakeFs fs;
  fs.images["base.vhdx"] = image_spec(kBase);
  auto chain = child_chain(fs, "base.vhdx");
  EXPECT_TRUE(parent_candidates("base.vhdx", *chain[0].image).empty());
}

TEST(ResolveParent, AFileWithTheWrongIdentityDoesNotStopTheSearch) {
  FakeFs fs;
  fs.images["/vms/child.avhdx"] = image_spec(kLeaf, 8,
      vhdx_link(kBase, {entry("relative_path", "..\\old\\base.vhdx"), entry("absolute_win32_path", "C:\\vms\\base.vhdx")}));
  fs.images["/vms/../old/base.vhdx"] = image_spec(kOther);  // a stale copy at the relative path
  fs.images["/vms/base.vhdx"] = image_spec(kBase);          // the real parent, beside the child
  ChainOptions options{.opener = fs.opener()};
  ResolvedParent r = resolve_parent(child_chain(fs, "/vms/child.avhdx"), options);
  ASSERT_TRUE(r.parent.image);
  EXPECT_EQ(r.parent.image->identity(), kBase);
  ASSERT_TRUE(r.resolution.accepted);
  EXPECT_EQ(*r.resolution.accepted, 2u);
  EXPECT_EQ(r.resolution.accepted_candidate()->path, "/vms/base.vhdx");
  const auto& c = r.resolution.candidates;
  expect_candidates(c, {
      {"relative_path", "/vms/../old/base.vhdx", CandidateOutcome::identity_mismatch},
      {"absolute_win32_path", "", CandidateOutcome::unresolvable},
      {"relative_path", "/vms/base.vhdx", CandidateOutcome::ok, true},
  });
  EXPECT_EQ(c[0].detail,
            "identity mismatch: its DataWriteGuid is 22222222-2222-2222-2222-222222222222; the child's parent_linkage "
            "is 11111111-1111-1111-1111-111111111111");
  EXPECT_EQ(c[0].found_identity, kOther);
  EXPECT_EQ(c[2].found_identity, kBase);
}

TEST(ResolveParent, EveryOutcomeIsRecordedAndLaterCandidatesAreNotTried) {
  FakeFs fs;
  fs.images["d/child.avhdx"] = image_spec(kLeaf, 8,
      vhdx_link(kBase, {entry("relative_path", ".\\self.avhdx"), entry("absolute_win32_path", "/srv/denied.vhdx"),
                        entry("volume_path", std::string(kVolume) + "\\broken.vhdx")}));
  fs.links["d/self.avhdx"] = "d/child.avhdx";  // the child itself through another name
  fs.errors["/srv/denied.vhdx"] = kErrAccessDenied;
  fs.broken.insert("d/broken.vhdx");
  fs.images["d/denied.vhdx"] = image_spec(kBase, 16);  // right identity, wrong virtual size
  ChainOptions options{.opener = fs.opener()};
  ResolvedParent r = resolve_parent(child_chain(fs, "d/child.avhdx"), options);
  EXPECT_FALSE(r.parent.image);
  EXPECT_FALSE(r.resolution.accepted);
  expect_candidates(r.resolution.candidates, {
      {"relative_path", "d/self.avhdx", CandidateOutcome::loop},
      {"volume_path", "", CandidateOutcome::unresolvable},
      {"absolute_win32_path", "/srv/denied.vhdx", CandidateOutcome::access_denied},
      {"volume_path", "d/broken.vhdx", CandidateOutcome::format_error, true},
      {"absolute_win32_path", "d/denied.vhdx", CandidateOutcome::geometry_mismatch, true},
  });
  EXPECT_EQ(r.resolution.candidates[0].detail, "loop: this file is d/child.avhdx, already in the chain");
  EXPECT_EQ(r.resolution.candidates[3].detail,
            "not a usable disk image: file @0x0: neither a VHDX file identifier nor a VHD footer was found");
  EXPECT_EQ(r.resolution.candidates[4].detail,
            "geometry mismatch: its virtual size is 8192 bytes, the child's 4096 bytes");

  // Once one is accepted, the rest are listed but never opened.
  fs.images["d/broken.vhdx"] = image_spec(kBase);
  fs.broken.clear();
  fs.opened.clear();
  r = resolve_parent(child_chain(fs, "d/child.avhdx"), options);
  ASSERT_TRUE(r.resolution.accepted);
  EXPECT_EQ(*r.resolution.accepted, 3u);
  EXPECT_EQ(r.resolution.candidates[4].outcome, CandidateOutcome::not_tried);
  EXPECT_EQ(fs.opened, (std::vector<std::string>{"d/child.avhdx", "d/self.avhdx", "/srv/denied.vhdx", "d/broken.vhdx"}));
}

// The resolver sorts open failures with io's one classifier (file_identity.h), as check's probes do:
// a share or server that does not exist (ERROR_BAD_NET_NAME, ERROR_BAD_NETPATH) is a parent not found
// on this host, not a failing disk; anything unexpected (EIO, ERROR_SHARING_VIOLATION) stays an I/O
// error with the system's message.
TEST(ResolveParent, OpenFailuresAreClassifiedOnceForTheWholeTool) {
#ifdef _WIN32
  constexpr int kNoShare = 67, kNoServer = 53, kIoError = 32;  // ERROR_BAD_NET_NAME, _BAD_NETPATH, _SHARING_VIOLATION
#else
  constexpr int kNoShare = ENOENT, kNoServer = ENOTDIR, kIoError = EIO;
#endif
  for (const auto& [error, outcome] : {std::pair{kNoShare, CandidateOutcome::not_found},
                                       std::pair{kNoServer, CandidateOutcome::not_found},
                                       std::pair{kIoError, CandidateOutcome::io_error}}) {
    FakeFs fs;
    fs.images["child.avhdx"] = image_spec(kLeaf, 8, vhdx_link(kBase, {entry("relative_path", "p.vhdx")}));
    fs.errors["p.vhdx"] = error;
    ResolvedParent r = resolve_parent(child_chain(fs, "child.avhdx"), {.opener = fs.opener()});
    ASSERT_FALSE(r.resolution.candidates.empty());
    EXPECT_EQ(r.resolution.candidates[0].path, "p.vhdx");
    EXPECT_EQ(r.resolution.candidates[0].outcome, outcome) << error;
    if (outcome == CandidateOutcome::not_found) {
      EXPECT_EQ(r.resolution.candidates[0].detail, "not found");
    }
  }
}

TEST(ResolveParent, LogicalSectorSizeMustMatch) {
  FakeFs fs;
  fs.images["child.avhdx"] = image_spec(kLeaf, 8, vhdx_link(kBase, {entry("relative_path", "base.vhdx")}));
  auto base = image_spec(kBase);
  base.logical_sector_size = 4096;
  fs.images["base.vhdx"] = base;
  ResolvedParent r = resolve_parent(child_chain(fs, "child.avhdx"), {.opener = fs.opener()});
  ASSERT_EQ(r.resolution.candidates.size(), 1u);
  EXPECT_EQ(r.resolution.candidates[0].outcome, CandidateOutcome::geometry_mismatch);
  EXPECT_EQ(r.resolution.candidates[0].detail,
            "geometry mismatch: its logical sector size is 4096 bytes, the child's 512 bytes");
}

TEST(ResolveParent, NonZeroParentLinkage2IsAcceptedAZeroOneIsNot) {
  FakeFs fs;
  ParentLink link = vhdx_link(kOther, {entry("relative_path", "base.vhdx")});
  link.linkage2 = kBase;  // mid-merge: the parent already carries its new DataWriteGuid
  fs.images["child.avhdx"] = image_spec(kLeaf, 8, link);
  fs.images["base.vhdx"] = image_spec(kBase);
  EXPECT_TRUE(resolve_parent(child_chain(fs, "child.avhdx"), {.opener = fs.opener()}).parent.image);

  link.linkage2 = Guid{};
  fs.images["child.avhdx"] = image_spec(kLeaf, 8, link);
  fs.images["base.vhdx"] = image_spec(Guid{});
  ResolvedParent r = resolve_parent(child_chain(fs, "child.avhdx"), {.opener = fs.opener()});
  EXPECT_FALSE(r.parent.image);
  EXPECT_EQ(r.resolution.candidates[0].outcome, CandidateOutcome::identity_mismatch);
}

TEST(ResolveParent, VhdIdentityIsTheUniqueId) {
  FakeFs fs;
  ParentLink link;
  link.linkage = kBase;
  link.locators = {entry("W2ru", ".\\base.vhd")};
  fs.images["child.vhd"] = image_spec(kLeaf, 8, link, DiskFormat::vhd);
  fs.images["base.vhd"] = image_spec(kOther, 8, {}, DiskFormat::vhd);
  ResolvedParent r = resolve_parent(child_chain(fs, "child.vhd"), {.opener = fs.opener()});
  ASSERT_EQ(r.resolution.candidates.size(), 1u);
  EXPECT_EQ(r.resolution.candidates[0].detail,
            "identity mismatch: its unique id is 22222222-2222-2222-2222-222222222222; the child's parent unique id is "
            "11111111-1111-1111-1111-111111111111");
}

TEST(OpenChain, WalksThreeLayersAndReadsThroughThem) {
  FakeFs fs;
  fs.images["vm/disk_C.avhdx"] = image_spec(kLeaf, 8, hyperv_link(kMid, "disk_B.avhdx"));
  fs.images["vm/disk_B.avhdx"] = image_spec(kMid, 8, hyperv_link(kBase, "disk.vhdx"));
  fs.images["vm/disk.vhdx"] = image_spec(kBase, 8);
  fs.images["vm/disk_C.avhdx"].sectors = "DPPPPPPP";
  fs.images["vm/disk_C.avhdx"].tag = 1;
  fs.images["vm/disk_B.avhdx"].sectors = "PDPPPPPP";
  fs.images["vm/disk_B.avhdx"].tag = 2;
  fs.images["vm/disk.vhdx"].tag = 3;
  Chain chain = open_chain("vm/disk_C.avhdx", {.opener = fs.opener()});
  ASSERT_EQ(chain.layers().size(), 3u);
  EXPECT_EQ(chain.layers()[1].path, "vm/disk_B.avhdx");
  EXPECT_EQ(chain.layers()[2].path, "vm/disk.vhdx");
  EXPECT_EQ(chain.layers()[0].parent.accepted_candidate()->locator, "relative_path");
  EXPECT_TRUE(chain.layers()[2].parent.candidates.empty());
  EXPECT_EQ(chain.virtual_size(), 8 * test::kSector);

  auto reader = chain.reader();
  std::vector<uint8_t> sector(test::kSector);
  for (uint64_t s = 0; s < 3; ++s) {
    reader->read_at(s * test::kSector, sector);
    EXPECT_EQ(sector[5], test::pattern_byte(static_cast<uint8_t>(s + 1), s, 5)) << "sector " << s;
  }
}

TEST(OpenChain, MissingParentListsEveryPathTried) {
  FakeFs fs;
  fs.images["copy/disk_C.avhdx"] = image_spec(kLeaf, 8, hyperv_link(kBase, "disk.vhdx"));
  fs.images["copy/disk.vhdx"] = image_spec(kOther);
  try {
    open_chain("copy/disk_C.avhdx", {.opener = fs.opener()});
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::parent_mismatch);
    EXPECT_EQ(std::string(e.what()),
              "copy/disk_C.avhdx: parent not found (linkage 11111111-1111-1111-1111-111111111111); tried:\n"
              "  copy/disk.vhdx: identity mismatch: its DataWriteGuid is 22222222-2222-2222-2222-222222222222; the "
              "child's parent_linkage is 11111111-1111-1111-1111-111111111111 (relative_path \".\\disk.vhdx\")\n"
              "  \\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\\vms\\disk.vhdx: volume path, not resolvable on this "
              "host (no volume map) (volume_path)\n"
              "  C:\\vms\\disk.vhdx: Windows path, no mapping to this host (absolute_win32_path)");
  }

  fs.images.erase("copy/disk.vhdx");
  fs.images["copy/disk_C.avhdx"] = image_spec(kLeaf, 8,
      vhdx_link(kBase, {entry("relative_path", "..\\base\\disk.vhdx"), entry("absolute_win32_path", "C:\\vms\\old.vhdx")}));
  try {
    open_chain("copy/disk_C.avhdx", {.opener = fs.opener()});
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::parent_missing);
    EXPECT_EQ(std::string(e.what()),
              "copy/disk_C.avhdx: parent not found (linkage 11111111-1111-1111-1111-111111111111); tried:\n"
              "  copy/../base/disk.vhdx: not found (relative_path \"..\\base\\disk.vhdx\")\n"
              "  C:\\vms\\old.vhdx: Windows path, no mapping to this host (absolute_win32_path)\n"
              "  copy/disk.vhdx: not found (file name of relative_path \"..\\base\\disk.vhdx\", beside the child)\n"
              "  copy/old.vhdx: not found (file name of absolute_win32_path \"C:\\vms\\old.vhdx\", beside the child)");
  }
}

TEST(OpenChain, ErrorCodeFollowsTheMostTellingCandidate) {
  FakeFs fs;
  fs.images["c.avhdx"] = image_spec(kLeaf, 8, vhdx_link(kBase, {entry("relative_path", "p.vhdx"), entry("absolute_win32_path", "/x/q.vhdx")}));
  fs.errors["p.vhdx"] = kErrAccessDenied;
  auto code_of = [&] {
    try {
      open_chain("c.avhdx", {.opener = fs.opener()});
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::invalid_argument;
  };
  EXPECT_EQ(code_of(), ErrorCode::io);
  fs.broken.insert("/x/q.vhdx");
  EXPECT_EQ(code_of(), ErrorCode::format);
  fs.broken.clear();
  fs.images["/x/q.vhdx"] = image_spec(kOther);
  EXPECT_EQ(code_of(), ErrorCode::parent_mismatch);
}

TEST(OpenChain, DiskWithoutParentPathsSaysSo) {
  FakeFs fs;
  fs.images["c.avhdx"] = image_spec(kLeaf, 8, vhdx_link(kBase, {}));
  try {
    open_chain("c.avhdx", {.opener = fs.opener()});
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::parent_missing);
    EXPECT_STREQ(e.what(),
                 "c.avhdx: parent not found (linkage 11111111-1111-1111-1111-111111111111): the disk stores no parent path");
  }
}

TEST(OpenChain, LeafErrorsPassThroughUnchanged) {
  FakeFs fs;
  try {
    open_chain("nowhere.vhdx", {.opener = fs.opener()});
    FAIL() << "no exception";
  } catch (const IoError& e) {
    EXPECT_EQ(e.errno_value(), kErrNotFound);
  }
}

TEST(OpenChain, ACopyOfALayerAlreadyInTheChainIsALoop) {
  FakeFs fs;
  // b's parent is "a copy of b's child": same identity as the leaf, a different file.
  fs.images["a.avhdx"] = image_spec(kLeaf, 8, vhdx_link(kMid, {entry("relative_path", "b.avhdx")}));
  fs.images["b.avhdx"] = image_spec(kMid, 8, vhdx_link(kLeaf, {entry("relative_path", "a-copy.avhdx")}));
  fs.images["a-copy.avhdx"] = image_spec(kLeaf, 8, vhdx_link(kMid, {entry("relative_path", "b.avhdx")}));
  try {
    open_chain("a.avhdx", {.opener = fs.opener()});
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::format);
    EXPECT_NE(std::string(e.what()).find("a-copy.avhdx: loop: its DataWriteGuid 44444444-4444-4444-4444-444444444444 is "
                                         "that of a.avhdx, already in the chain"),
              std::string::npos)
        << e.what();
  }
}

TEST(OpenChain, DepthIsLimited) {
  FakeFs fs;
  // A long line of layers, each the parent of the previous one.
  auto id = [](int i) {
    Guid g;
    g.bytes[0] = static_cast<uint8_t>(i + 1);
    return g;
  };
  for (int i = 0; i < 10; ++i)
    fs.images["l" + std::to_string(i)] = image_spec(id(i), 8, vhdx_link(id(i + 1), {entry("relative_path", "l" + std::to_string(i + 1))}));
  fs.images["l10"] = image_spec(id(10));
  EXPECT_EQ(open_chain("l0", {.opener = fs.opener()}).layers().size(), 11u);
  try {
    open_chain("l0", {.opener = fs.opener(), .max_depth = 5});
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::unsupported);
    EXPECT_STREQ(e.what(), "l0: the chain is deeper than 5 layers (stopped at l4)");
  }
}

}  // namespace
}  // namespace vhdchain
