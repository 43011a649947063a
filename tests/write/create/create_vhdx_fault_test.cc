// create_disk stopped by an exception after every I/O event, in process: the exception reaches the
// caller, the target is absent (before the rename) or whole (from it on), and the next create of
// the same name succeeds. The kill sweep (create_kill_test.cc) does the same with SIGKILL.
#include <gtest/gtest.h>

#include "base/checked_math.h"
#include "support/testdata.h"
#include "vhdchain/file.h"
#include "vhdchain/write.h"
#include "write/new_file.h"

namespace vhdchain {
namespace {

struct StopHere {};

int g_events = 0;
int g_stop_after = 0;  // 0: count only
std::vector<IoEvent> g_seen;

void stop_after_n(IoEvent event, const std::string&) {
  g_seen.push_back(event);
  if (++g_events == g_stop_after) throw StopHere{};
}

class HookGuard {
 public:
  explicit HookGuard(int stop_after) {
    g_events = 0;
    g_stop_after = stop_after;
    g_seen.clear();
    set_io_event_hook(&stop_after_n);
  }
  ~HookGuard() { set_io_event_hook(nullptr); }
};

TEST(CreateVhdxFault, EveryStopLeavesNoDiskOrAWholeOne) {
  test::TempDir dir;
  CreateOptions base;
  base.virtual_size = 16 * kMiB;
  create_disk((dir / "base.vhdx").string(), base);
  for (DiskType type : {DiskType::fixed, DiskType::differencing}) {
    CreateOptions o;
    o.type = type;
    if (type == DiskType::differencing) {
      o.parent = (dir / "base.vhdx").string();
    } else {
      o.virtual_size = 3 * kMiB;
      o.block_size = kMiB;
    }
    const std::string target = (dir / "disk.vhdx").string();

    int total = 0;
    std::vector<IoEvent> events;
    {
      HookGuard count(0);
      create_disk(target, o);
      total = g_events;
      events = g_seen;
    }
    std::filesystem::remove(target);
    ASSERT_GE(total, 9);
    EXPECT_EQ(events.front(), IoEvent::resize);
    EXPECT_EQ(events.back(), IoEvent::rename);

    for (int n = 1; n <= total; ++n) {
      {
        HookGuard stop(n);
        EXPECT_THROW(create_disk(target, o), StopHere) << n;
      }
      const bool renamed = n == total;
      ASSERT_EQ(std::filesystem::exists(target), renamed) << to_string(type) << " stopped after event " << n;
      if (renamed) {
        EXPECT_EQ(open_image_file(target)->info().type, type);
        std::filesystem::remove(target);
      }
      // The partial file is removed on the way out (or, had that failed, by the next create).
      EXPECT_FALSE(std::filesystem::exists(write::NewFile::partial_path_for(target))) << n;
      const ImageInfo info = create_disk(target, o).info;
      EXPECT_EQ(info.type, type);
      EXPECT_TRUE(info.notes.empty());
      std::filesystem::remove(target);
    }
  }
}

}  // namespace
}  // namespace vhdchain
