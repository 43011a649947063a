// Log entries, the active-sequence search (MS-VHDX 2.3.3) and replay into an overlay.
#include "vhdx/log.h"

#include <gtest/gtest.h>

#include "vhdx_bytes.h"

namespace vhdchain::vhdx {
namespace {

using test::Bytes;
using test::LogEntrySpec;
using test::LogWrite;

constexpr uint64_t kLogAt = kMiB;          // file offset of the log
constexpr size_t kRingSize = 64 * kKiB;    // 16 slots of 4 KiB
const Guid kGuid = test::guid("c82755bc-427f-1245-b72c-da70aaabe031");
const Guid kStale = test::guid("5f34c1a1-0000-0000-0000-000000000001");

Bytes update(uint8_t seed) {
  Bytes u(4096);
  for (size_t i = 0; i < u.size(); ++i) u[i] = static_cast<uint8_t>(seed + i * 7);
  return u;
}

LogEntrySpec entry(uint64_t sequence, uint32_t tail, std::vector<LogWrite> writes, const Guid& g = kGuid) {
  return LogEntrySpec{sequence, tail, g, 4 * kMiB, 4 * kMiB, std::move(writes)};
}

struct Ring {
  Bytes bytes = Bytes(kRingSize, 0);
  void put(uint64_t position, const LogEntrySpec& spec) { test::put_in_ring(bytes, position, test::make_log_entry(spec)); }
  LogRing ring() const { return LogRing(bytes, "t.vhdx", kLogAt); }
};

TEST(VhdxLog, E8DataSectorLayout) {
  const Bytes u = update(3);
  Bytes e = test::make_log_entry(entry(0x0000000100000002, 0, {{0x300000, u}}));
  ASSERT_EQ(e.size(), 8192u);  // 1 descriptor sector + 1 data sector
  // Descriptor: "desc", trailing bytes U[4092..4095], leading bytes U[0..7], file offset, sequence.
  EXPECT_EQ(Bytes(e.begin() + 64, e.begin() + 68), Bytes({'d', 'e', 's', 'c'}));
  EXPECT_EQ(Bytes(e.begin() + 68, e.begin() + 72), Bytes(u.begin() + 4092, u.end()));
  EXPECT_EQ(Bytes(e.begin() + 72, e.begin() + 80), Bytes(u.begin(), u.begin() + 8));
  // Data sector: "data", sequence high, U[8..4091], sequence low.
  const Bytes expected_head = {'d', 'a', 't', 'a', 0x01, 0, 0, 0};
  EXPECT_EQ(Bytes(e.begin() + 4096, e.begin() + 4104), expected_head);
  EXPECT_EQ(Bytes(e.begin() + 4104, e.begin() + 8188), Bytes(u.begin() + 8, u.begin() + 4092));
  EXPECT_EQ(Bytes(e.begin() + 8188, e.end()), Bytes({0x02, 0, 0, 0}));

  Ring r;
  r.put(0, entry(0x0000000100000002, 0, {{0x300000, u}}));
  LogEntryCheck c = check_log_entry(r.ring(), 0, kGuid);
  ASSERT_TRUE(c.entry) << c.problem;
  EXPECT_EQ(c.entry->length, 8192u);
  EXPECT_EQ(c.entry->descriptor_count, 1u);
  EXPECT_EQ(c.entry->sequence_number, 0x0000000100000002u);

  // Replaying it rebuilds U exactly.
  auto base = std::make_shared<MemoryReader>(Bytes(4 * kMiB, 0xCC), "t.vhdx");
  OverlayReader overlay(base);
  SequenceSearch s = find_active_sequence(r.ring(), kGuid);
  ASSERT_TRUE(s.active);
  replay_log(r.ring(), *s.active, base->size(), overlay);
  Bytes got(4096);
  overlay.read_at(0x300000, got);
  EXPECT_EQ(got, u);
}

TEST(VhdxLog, EntryProblems) {
  auto problem = [](auto mutate, std::vector<LogWrite> writes = {{0x300000, update(1)}}) {
    Bytes e = test::make_log_entry(entry(7, 0, std::move(writes)));
    mutate(e);
    Ring r;
    test::put_in_ring(r.bytes, 0, e);
    return check_log_entry(r.ring(), 0, kGuid);
  };
  LogEntryCheck c = problem([](Bytes&) {});
  EXPECT_TRUE(c.entry);
  EXPECT_TRUE(c.guid_matches);

  c = problem([](Bytes& e) { test::put_guid(e, 32, kStale);
    test::seal(e); });
  EXPECT_FALSE(c.entry);
  EXPECT_FALSE(c.guid_matches);
  EXPECT_EQ(c.problem,
            "log guid 5f34c1a1-0000-0000-0000-000000000001 does not match the header's log guid "
            "c82755bc-427f-1245-b72c-da70aaabe031");

  EXPECT_EQ(problem([](Bytes& e) { e[0] = 'L'; }).problem, "signature is not 'loge'");
  EXPECT_EQ(problem([](Bytes& e) { test::put32(e, 8, 0x1800); }).problem,
            "entry length 0x1800 is not a non-zero multiple of 4 KiB");
  EXPECT_EQ(problem([](Bytes& e) { test::put32(e, 8, 0x20000); }).problem,
            "entry length 0x20000 exceeds the log length 0x10000");
  EXPECT_EQ(problem([](Bytes& e) { test::put32(e, 12, 0x10000); }).problem,
            "tail 0x10000 is not a 4 KiB aligned offset inside the log (0x10000 bytes)");
  EXPECT_EQ(problem([](Bytes& e) { test::put64(e, 16, 0); }).problem, "sequence number 0 is not allowed");
  EXPECT_EQ(problem([](Bytes& e) { test::put32(e, 28, 1); }).problem, "reserved field 0x1 is not zero");
  EXPECT_EQ(problem([](Bytes& e) { test::put64(e, 48, 0x123000); }).problem,
            "flushed file offset 0x123000 is not 1 MiB aligned");
  EXPECT_EQ(problem([](Bytes& e) { test::put64(e, 56, 0x123000); }).problem,
            "last file offset 0x123000 is not 1 MiB aligned");
  EXPECT_EQ(problem([](Bytes& e) { test::put32(e, 24, 300); }).problem,
            "descriptor count 300 needs 3 descriptor sectors but the entry length is 0x2000");
  EXPECT_EQ(problem([](Bytes& e) { e[64] = 'x'; }).problem, "descriptor 0: signature is not 'zero' or 'desc'");
  EXPECT_EQ(problem([](Bytes& e) { test::put64(e, 64 + 16, 0x300200); }).problem,
            "descriptor 0: file offset 0x300200 is not 4 KiB aligned");
  EXPECT_EQ(problem([](Bytes& e) { test::put64(e, 64 + 24, 8); }).problem,
            "descriptor 0: sequence number 0x8 does not match the entry's 0x7");
  EXPECT_EQ(problem([](Bytes&) {}, {{0x300000, {}, 0x1800}}).problem,
            "descriptor 0: zero length 0x1800 is not a multiple of 4 KiB");
  EXPECT_EQ(problem([](Bytes& e) { test::put32(e, 64 + 4, 1); }, {{0x300000, {}, 0x1000}}).problem,
            "descriptor 0: reserved field 0x1 is not zero");
  EXPECT_EQ(problem([](Bytes& e) { test::put32(e, 24, 0); }).problem,
            "entry length 0x2000 does not match its 1 descriptor sectors and 0 data sectors");
  EXPECT_EQ(problem([](Bytes& e) { e[4096] = 'D'; }).problem, "data sector 0: signature is not 'data'");
  EXPECT_EQ(problem([](Bytes& e) { test::put32(e, 4096 + 4, 1); }).problem,
            "data sector 0: sequence number 0x100000007 does not match the entry's 0x7");
  c = problem([](Bytes& e) { e[5000] ^= 1; });
  EXPECT_EQ(c.problem.substr(0, 9), "checksum ");
  EXPECT_NE(c.problem.find(" does not match computed "), std::string::npos);
}

TEST(VhdxLog, StaleEntriesOfOtherSequencesAreIgnored) {
  // Like the QEMU dirty-log sample: earlier sessions' entries (other LogGuids) precede the one
  // entry of the current session.
  Ring r;
  r.put(0x0000, entry(1, 0x0000, {{0x300000, update(1)}}, kStale));
  r.put(0x2000, entry(2, 0x2000, {{0x301000, update(2)}}, kStale));
  r.put(0x4000, entry(3, 0x4000, {{0x302000, update(3)}}, kGuid));
  SequenceSearch s = find_active_sequence(r.ring(), kGuid);
  ASSERT_TRUE(s.active);
  ASSERT_EQ(s.active->entries.size(), 1u);
  EXPECT_EQ(s.active->head().sequence_number, 3u);
  EXPECT_EQ(s.active->head().position, 0x4000u);

  auto base = std::make_shared<MemoryReader>(Bytes(4 * kMiB, 0), "t.vhdx");
  OverlayReader overlay(base);
  replay_log(r.ring(), *s.active, base->size(), overlay);
  Bytes got(4096);
  overlay.read_at(0x302000, got);
  EXPECT_EQ(got, update(3));
  overlay.read_at(0x300000, got);
  EXPECT_EQ(got, Bytes(4096, 0));  // the stale entry was not replayed
}

TEST(VhdxLog, WrappedEntryAndTailInsideTheRun) {
  // Entry A (seq 10, 3 sectors) starts 2 sectors before the end of the ring and wraps; entry B
  // (seq 11) follows it at 0x1000 with Tail -> A. A zero descriptor in B clears part of A's update.
  Ring r;
  r.put(0xE000, entry(10, 0xE000, {{0x300000, update(5)}, {0x301000, update(6)}}));
  LogEntrySpec b = entry(11, 0xE000, {{0x301000, {}, 0x1000}, {0x302000, update(7)}});
  b.last_file_offset = 6 * kMiB;
  r.put(0x1000, b);
  LogEntryCheck a = check_log_entry(r.ring(), 0xE000, kGuid);
  ASSERT_TRUE(a.entry) << a.problem;
  EXPECT_EQ(a.entry->length, 0x3000u);

  SequenceSearch s = find_active_sequence(r.ring(), kGuid);
  ASSERT_TRUE(s.active) << s.why_none;
  ASSERT_EQ(s.active->entries.size(), 2u);
  EXPECT_EQ(s.active->entries[0].position, 0xE000u);
  EXPECT_EQ(s.active->head().sequence_number, 11u);

  auto base = std::make_shared<MemoryReader>(Bytes(4 * kMiB, 0xCC), "t.vhdx");
  OverlayReader overlay(base);
  replay_log(r.ring(), *s.active, base->size(), overlay);
  EXPECT_EQ(overlay.size(), 6 * kMiB);  // extended to LastFileOffset
  Bytes got(4096);
  overlay.read_at(0x300000, got);
  EXPECT_EQ(got, update(5));
  overlay.read_at(0x301000, got);
  EXPECT_EQ(got, Bytes(4096, 0));
  overlay.read_at(0x302000, got);
  EXPECT_EQ(got, update(7));
  EXPECT_EQ(base->bytes()[0x300000], 0xCC);  // the base is never written
}

TEST(VhdxLog, HighestSequenceWins) {
  Ring r;
  r.put(0x0000, entry(5, 0x0000, {{0x300000, update(1)}}));
  r.put(0x8000, entry(9, 0x8000, {{0x300000, update(2)}}));
  r.put(0xA000, entry(10, 0x8000, {{0x300000, update(3)}}));
  SequenceSearch s = find_active_sequence(r.ring(), kGuid);
  ASSERT_TRUE(s.active);
  ASSERT_EQ(s.active->entries.size(), 2u);
  EXPECT_EQ(s.active->entries[0].sequence_number, 9u);
  EXPECT_EQ(s.active->head().sequence_number, 10u);
}

TEST(VhdxLog, NoValidSequence) {
  Ring r;
  EXPECT_EQ(find_active_sequence(r.ring(), kGuid).why_none, "no log entry carries that log guid");

  r.put(0x2000, entry(4, 0x6000, {{0x300000, update(1)}}));  // Tail points outside its own run
  SequenceSearch s = find_active_sequence(r.ring(), kGuid);
  EXPECT_FALSE(s.active);
  EXPECT_EQ(s.why_none, "log entry @0x102000: tail 0x6000 does not point to an entry of its sequence (4..4)");

  Ring bad;
  bad.put(0x3000, entry(4, 0x3000, {{0x300000, update(1)}}));
  bad.bytes[0x3000 + 5000] ^= 1;
  s = find_active_sequence(bad.ring(), kGuid);
  EXPECT_FALSE(s.active);
  EXPECT_EQ(s.why_none.substr(0, 52), "first rejected entry: log entry @0x103000: checksum ");
}

TEST(VhdxLog, ReplayErrors) {
  auto replay_error = [](const LogEntrySpec& spec, uint64_t base_size = 4 * kMiB) {
    Ring r;
    r.put(0, spec);
    SequenceSearch s = find_active_sequence(r.ring(), kGuid);
    EXPECT_TRUE(s.active) << s.why_none;
    auto base = std::make_shared<MemoryReader>(Bytes(base_size, 0), "t.vhdx");
    OverlayReader overlay(base);
    try {
      replay_log(r.ring(), *s.active, base_size, overlay);
    } catch (const FormatError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  LogEntrySpec e = entry(3, 0, {{0x300000, update(1)}});
  e.flushed_file_offset = 5 * kMiB;
  EXPECT_EQ(replay_error(e),
            "t.vhdx: log entry @0x100000: flushed file offset 0x500000 lies beyond the end of the file "
            "(0x400000 bytes): the file is truncated");
  EXPECT_EQ(replay_error(entry(3, 0, {{0x20000, update(1)}})),
            "t.vhdx: log entry @0x100000: descriptor 0: target 0x20000+0x1000 overlaps the file identifier "
            "or the headers, which are never written through the log");
  EXPECT_EQ(replay_error(entry(3, 0, {{0x30000, update(1)}})), "no error");  // region table 1 may be logged
  EXPECT_EQ(replay_error(entry(3, 0, {{0x108000, {}, 0x1000}})),
            "t.vhdx: log entry @0x100000: descriptor 0: target 0x108000+0x1000 overlaps the log itself");
  EXPECT_EQ(replay_error(entry(3, 0, {{0xFFFFFFFFFFFFF000, {}, 0x2000}})),
            "t.vhdx: log entry @0x100000: descriptor 0: target 0xfffffffffffff000+0x2000 overflows");
}

// The bounds of vhdx/log.h, checked per entry before anything is applied (docs/vhdx-notes.md).
TEST(VhdxLog, ReplayBounds) {
  constexpr uint64_t kBase = 4 * kMiB;
  auto plan_error = [](const LogEntrySpec& spec) {
    Ring r;
    r.put(0, spec);
    SequenceSearch s = find_active_sequence(r.ring(), kGuid);
    EXPECT_TRUE(s.active) << s.why_none;
    try {
      plan_log_replay(r.ring(), *s.active, kBase);
    } catch (const FormatError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto with_last = [](LogEntrySpec e, uint64_t last) {
    e.last_file_offset = last;
    return e;
  };
  // A descriptor may reach its entry's LastFileOffset, not pass it.
  EXPECT_EQ(plan_error(entry(3, 0, {{kBase - 0x1000, update(1)}})), "no error");
  EXPECT_EQ(plan_error(entry(3, 0, {{kBase, update(1)}})),
            "t.vhdx: log entry @0x100000: descriptor 0: target 0x400000+0x1000 ends past the entry's last file "
            "offset 0x400000");
  EXPECT_EQ(plan_error(entry(3, 0, {{kBase, {}, 0x3fffffff00000000}})),
            "t.vhdx: log entry @0x100000: descriptor 0: target 0x400000+0x3fffffff00000000 ends past the entry's "
            "last file offset 0x400000");
  // 128 TiB at most, however many descriptors.
  EXPECT_EQ(plan_error(with_last(entry(3, 0, {{0x300000, update(1)}}), (uint64_t(128) << 40) + kMiB)),
            "t.vhdx: log entry @0x100000: last file offset 0x800000100000 exceeds 0x800000000000 (128 TiB), the "
            "largest file a log may describe");
  // Growth past the end: nothing for an entry without descriptors, 256 MiB for a zero descriptor,
  // 128 GiB for a data sector.
  EXPECT_EQ(plan_error(with_last(entry(3, 0, {}), kBase)), "no error");
  EXPECT_EQ(plan_error(with_last(entry(3, 0, {}), kBase + kMiB)),
            "t.vhdx: log entry @0x100000: last file offset 0x500000 lies 0x100000 bytes past the end of the file "
            "(0x400000 bytes), more than the 0x0 its sequence's descriptors can account for");
  EXPECT_EQ(plan_error(with_last(entry(3, 0, {{kBase, {}, 0x1000}}), kBase + 256 * kMiB)), "no error");
  EXPECT_EQ(plan_error(with_last(entry(3, 0, {{kBase, {}, 0x1000}}), kBase + 257 * kMiB)),
            "t.vhdx: log entry @0x100000: last file offset 0x10500000 lies 0x10100000 bytes past the end of the file "
            "(0x400000 bytes), more than the 0x10000000 its sequence's descriptors can account for");
  EXPECT_EQ(plan_error(with_last(entry(3, 0, {{0x300000, update(1)}}), kBase + (uint64_t(128) << 30))), "no error");
}

TEST(VhdxLog, InPlacePlanLeavesHolesPastTheOldEnd) {
  // A zero range straddling the old end, data past it, and the file extended to LastFileOffset.
  constexpr uint64_t kBase = 4 * kMiB;
  Ring r;
  LogEntrySpec e = entry(3, 0, {{kBase - 0x2000, {}, 0x4000}, {kBase + 0x10000, update(2)}});
  e.last_file_offset = kBase + 2 * kMiB;
  r.put(0, e);
  SequenceSearch s = find_active_sequence(r.ring(), kGuid);
  ASSERT_TRUE(s.active) << s.why_none;
  auto base = std::make_shared<MemoryReader>(Bytes(kBase, 0xCC), "t.vhdx");
  OverlayReader overlay(base);
  replay_log(r.ring(), *s.active, kBase, overlay);
  const InPlaceReplayPlan plan = plan_in_place_replay(overlay, kBase);
  EXPECT_EQ(plan.new_size, kBase + 2 * kMiB);
  ASSERT_EQ(plan.writes.size(), 2u);
  EXPECT_EQ(plan.writes[0].offset, kBase - 0x2000);  // zeros over the old bytes only
  EXPECT_EQ(plan.writes[0].length, 0x2000u);
  EXPECT_EQ(plan.writes[0].data, nullptr);
  EXPECT_EQ(plan.writes[1].offset, kBase + 0x10000);
  EXPECT_EQ(Bytes(plan.writes[1].data, plan.writes[1].data + plan.writes[1].length), update(2));
}

TEST(VhdxLog, HostileRingCostIsBounded) {
  // Every 4 KiB position of a 1 MiB ring holds an entry header claiming almost the whole ring; each
  // would be copied and checksummed. The search gives up after 8 passes' worth of bytes.
  Bytes ring(kMiB, 0);
  for (size_t pos = 0; pos < ring.size(); pos += 4096) {
    test::put_ascii(ring, pos, "loge");
    test::put32(ring, pos + 8, 0xFF000);
    test::put64(ring, pos + 16, 1);
    test::put_guid(ring, pos + 32, kGuid);
  }
  try {
    find_active_sequence(LogRing(ring, "t.vhdx", kLogAt), kGuid);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_STREQ(e.what(),
                 "t.vhdx: log @0x100000: more than 0x800000 bytes of overlapping candidate entries were checked: the "
                 "log is not a plausible ring of entries");
  }
}

}  // namespace
}  // namespace vhdchain::vhdx
