// A property per write command (issue 13): inputs mutated at random (truncation, a flipped BAT
// entry, a bad checksum, a file another writer holds, a cycle), and whatever the mutation, the
// command either refuses with every file in the folder unchanged (bytes and mtime), or succeeds
// with check --deep finding nothing critical and the chain reading what it read before.
//
// The generator is a fixed-seed splitmix64, so every run makes the same cases on every platform;
// the iteration counts keep each test to a few seconds.
#include <filesystem>
#include <functional>
#include <optional>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "vhdchain/check.h"
#include "vhdchain/file.h"
#include "vhdchain/merge.h"
#include "vhdchain/write.h"
#include "write/preflight/file_stamps.h"
#include "write/preflight/preflight_fixtures.h"
#include "write/vhdx/write_fixtures.h"

namespace vhdchain::test {
namespace {

namespace fs = std::filesystem;

class Splitmix {
 public:
  explicit Splitmix(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }

 private:
  uint64_t state_;
};

enum class Mutation { none, truncate, flip_bat, bad_checksum, locked, cycle };
const char* name_of(Mutation m) {
  switch (m) {
    case Mutation::none: return "none";
    case Mutation::truncate: return "truncate";
    case Mutation::flip_bat: return "flip_bat";
    case Mutation::bad_checksum: return "bad_checksum";
    case Mutation::locked: return "locked";
    case Mutation::cycle: return "cycle";
  }
  return "?";
}

// Applies `m` to the file at `path` built from `image`; a lock is held in `holder`. Returns what
// was done, for the failure message.
std::string mutate(Splitmix& rng, Mutation m, const BuiltImage& image, const std::string& path,
                   std::unique_ptr<File>& holder) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  switch (m) {
    case Mutation::none:
    case Mutation::cycle:
      return name_of(m);
    case Mutation::truncate: {
      const uint64_t size = image.layout.offset("bat") + rng.below(bytes.size() - image.layout.offset("bat"));
      truncate_file(path, size);
      return fmt::format("truncated {} to {:#x}", path, size);
    }
    case Mutation::flip_bat: {
      const uint64_t at = image.layout.offset("bat") + rng.below(8 * 8);
      bytes[at] ^= static_cast<uint8_t>(1u << rng.below(8));
      write_file_bytes(path, bytes);
      return fmt::format("flipped a bit of {} @{:#x} (BAT)", path, at);
    }
    case Mutation::bad_checksum: {
      static const char* const kStructures[] = {"header 1", "header 2", "region table 1", "region table 2",
                                                "metadata table"};
      const std::string structure = kStructures[rng.below(5)];
      const uint64_t at = image.layout.offset(structure) + rng.below(64);
      bytes[at] ^= 0x5a;
      write_file_bytes(path, bytes);
      return fmt::format("changed {} @{:#x} ({})", path, at, structure);
    }
    case Mutation::locked:
      holder = File::open(path, OpenMode::read_write);  // another writer's lock
      return "locked " + path;
  }
  return "?";
}

std::optional<std::string> content_of(const std::string& leaf) {
  try {
    return chain_sha256(leaf);
  } catch (const Error&) {
    return std::nullopt;
  }
}

bool deep_check_has_no_critical(const fs::path& dir, std::string& findings) {
  check::Options options;
  options.deep = true;
  const check::Report report = check::run_check(std::vector<std::string>{dir.string()}, options);
  bool ok = true;
  for (const check::Finding& f : report.findings) {
    findings += f.code + ": " + f.message + "\n";
    if (f.severity == check::Severity::critical) ok = false;
  }
  return ok;
}

// How the cases of one property ended: both outcomes must occur, or the property tested nothing.
struct Outcomes {
  int refused = 0, written = 0;
  ~Outcomes() {
    EXPECT_GT(refused, 0) << "no case was refused";
    EXPECT_GT(written, 0) << "no case was written";
  }
};

// One case: `write` runs the command and returns normally on success or throws. The mutations that
// must always be refused say so.
void expect_refused_or_sound(Outcomes& outcomes, const fs::path& dir, Mutation m, const std::string& what,
                             bool must_refuse,
                             const std::function<void()>& write, const std::function<void()>& verify_success) {
  const auto before = stamp_folder(dir);
  std::optional<Error> refused;
  try {
    write();
  } catch (const Error& e) {
    refused = e;
  }
  SCOPED_TRACE(what);
  ++(refused ? outcomes.refused : outcomes.written);
  if (refused) {
    if (must_refuse) {
      EXPECT_EQ(refused->code(), ErrorCode::refused) << refused->what();
    }
    expect_folder_untouched(before, dir);
    return;
  }
  EXPECT_FALSE(must_refuse) << name_of(m) << " was not refused";
  verify_success();
}

Mutation pick(Splitmix& rng, std::initializer_list<Mutation> among) {
  return *(among.begin() + rng.below(among.size()));
}

constexpr int kIterations = 12;
constexpr uint64_t kDiskSize = 8 * kMiB;  // four 2 MiB blocks: each case reads its chains whole

TEST(PreflightProperty, SetParent) {
  Splitmix rng(0x5e7a7e47);
  Outcomes outcomes;
  for (int i = 0; i < kIterations; ++i) {
    const VhdxPair pair(kDiskSize);
    const TempDir& t = pair.t;
    const BuiltImage& base = pair.base;
    const BuiltImage& child_image = pair.child_image;
    const std::string& child = pair.child;
    const std::string& moved = pair.moved;

    const Mutation m = pick(rng, {Mutation::none, Mutation::truncate, Mutation::flip_bat, Mutation::bad_checksum,
                                  Mutation::locked, Mutation::cycle});
    const bool on_child = rng.below(2) == 0;
    std::unique_ptr<File> holder;
    const std::string what = mutate(rng, m, on_child ? child_image : base, on_child ? child : moved, holder);
    // What the chain reads now, through a parent with the new parent's bytes: what it must read
    // after a successful re-point.
    if (!on_child && m != Mutation::locked) write_file_bytes(t / "base.vhdx", read_file_bytes(moved));
    const std::optional<std::string> content = content_of(child);
    const std::string parent = m == Mutation::cycle ? child : moved;
    expect_refused_or_sound(
        outcomes, t.path(), m, what, m == Mutation::locked || m == Mutation::cycle,
        [&] {
          NewParentLink link;
          link.linkage = open_image_file(parent)->identity();
          link.paths = compose_parent_paths(child, parent);
          link.parent = parent;
          link.ignore_id_mismatch = m == Mutation::cycle;
          apply_relink(plan_relink(child, link));
        },
        [&] {
          std::string findings;
          EXPECT_TRUE(deep_check_has_no_critical(t.path(), findings)) << findings;
          ASSERT_TRUE(content.has_value()) << "written, but the chain did not read before";
          fs::remove(t / "base.vhdx");  // only the new link reaches the parent now
          EXPECT_EQ(content_of(child), content);
        });
  }
}

TEST(PreflightProperty, Merge) {
  Splitmix rng(0x3e46e);
  Outcomes outcomes;
  for (int i = 0; i < kIterations; ++i) {
    const ThreeDisks disks(kDiskSize);
    const TempDir& t = disks.t;
    const BuiltChain& chain = disks.chain;
    const std::string paths[] = {disks.base, disks.mid, disks.leaf};

    const Mutation m =
        pick(rng, {Mutation::none, Mutation::truncate, Mutation::flip_bat, Mutation::bad_checksum, Mutation::locked});
    const size_t which = rng.below(3);
    std::unique_ptr<File> holder;
    const std::string what = mutate(rng, m, chain.layers[which], paths[which], holder);
    const std::optional<std::string> content = content_of(paths[2]);
    MergeOptions o;
    o.child = paths[1];
    expect_refused_or_sound(
        outcomes, t.path(), m, what, m == Mutation::locked,
        [&] {
          const MergePlan plan = plan_merge(o);
          if (!plan.refusals.empty()) throw Error(ErrorCode::refused, plan.refusals.front());
          run_merge(o, plan);
        },
        [&] {
          std::string findings;
          EXPECT_TRUE(deep_check_has_no_critical(t.path(), findings)) << findings;
          ASSERT_TRUE(content.has_value()) << "merged, but the chain did not read before";
          EXPECT_EQ(content_of(paths[2]), content);
          EXPECT_EQ(open_chain(paths[2]).layers().size(), 2u);  // leaf -> base
        });
  }
}

TEST(PreflightProperty, ReplayLog) {
  Splitmix rng(0x4e91a7);
  Outcomes outcomes;
  for (int i = 0; i < kIterations; ++i) {
    TempDir t;
    const std::string path = path_of(t / "dirty.vhdx");
    ImageSpec dirty = dirty_vhdx_spec(6, guid_from_seed(0x106, static_cast<uint64_t>(i) + 1));
    dirty.virtual_size = kDiskSize;
    const BuiltImage image = build_image(dirty);
    image.write(path);
    const Mutation m =
        pick(rng, {Mutation::none, Mutation::truncate, Mutation::flip_bat, Mutation::bad_checksum, Mutation::locked});
    std::unique_ptr<File> holder;
    const std::string what = mutate(rng, m, image, path, holder);
    const std::optional<std::string> content = content_of(path);
    expect_refused_or_sound(
        outcomes, t.path(), m, what, m == Mutation::locked, [&] { replay_pending(path); },
        [&] {
          std::string findings;
          EXPECT_TRUE(deep_check_has_no_critical(t.path(), findings)) << findings;
          EXPECT_FALSE(open_image_file(path)->info().log.pending);
          ASSERT_TRUE(content.has_value()) << "replayed, but the file did not read before";
          EXPECT_EQ(content_of(path), content);
        });
  }
}

TEST(PreflightProperty, CreateWithParent) {
  Splitmix rng(0xc4ea7e);
  Outcomes outcomes;
  for (int i = 0; i < kIterations; ++i) {
    TempDir t;
    const BuiltImage base = build_image(vhdx_base_spec(1, kDiskSize));
    const std::string parent = path_of(t / "base.vhdx"), child = path_of(t / "new.avhdx");
    base.write(parent);
    const Mutation m =
        pick(rng, {Mutation::none, Mutation::truncate, Mutation::flip_bat, Mutation::bad_checksum, Mutation::locked});
    std::unique_ptr<File> holder;
    const std::string what = mutate(rng, m, base, parent, holder);
    const std::optional<std::string> content = content_of(parent);
    CreateOptions o;
    o.type = vhdchain::DiskType::differencing;
    o.parent = parent;
    expect_refused_or_sound(
        outcomes, t.path(), m, what, m == Mutation::locked, [&] { create_disk(child, o); },
        [&] {
          std::string findings;
          EXPECT_TRUE(deep_check_has_no_critical(t.path(), findings)) << findings;
          ASSERT_TRUE(content.has_value()) << "created, but the parent did not read before";
          EXPECT_EQ(content_of(child), content);
        });
  }
}

}  // namespace
}  // namespace vhdchain::test
