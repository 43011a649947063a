// repair --replay-log FILE...: apply a pending VHDX log (or finish a VHD journal) in place, as
// Hyper-V does when it opens the file, for tools that cannot replay (qemu-img refuses read-only,
// 7-Zip reads stale metadata). --dry-run only says what is pending.
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "repair.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"

namespace vhdchain::cli {
namespace {

struct Pending {
  bool log = false;         // VHDX: the header's LogGuid is set
  uint32_t entries = 0;
  bool journal = false;     // VHD: a vhdchain journal lies beside it
};

Pending pending_of(const std::string& path) {
  Pending p;
  std::error_code ec;
  p.journal = std::filesystem::exists(std::filesystem::u8path(vhd_journal_path(path)), ec);
  if (p.journal) return p;
  const std::unique_ptr<DiskImage> image = open_image_file(path);
  const ImageInfo& info = image->info();
  // The replay refuses a log whose replayed view does not validate, BAT included (vhdx/log.h); the
  // dry run reads the BAT too, so it refuses the same file with the same message.
  if (info.log.pending) (void)image->block_stats();
  p.log = info.log.pending;
  p.entries = info.log.entry_count;
  return p;
}

}  // namespace

int run_replay_log(const RepairOptions& o) {
  if (o.paths.empty()) throw Error(ErrorCode::invalid_argument, "repair --replay-log needs at least one FILE");
  nlohmann::json results = nlohmann::json::array();
  for (const std::string& path : o.paths) {
    const Pending p = pending_of(path);
    std::string what;
    nlohmann::json j = {{"path", path}, {"dry_run", o.dry_run}};
    if (o.dry_run) {
      what = p.journal ? "a vhdchain journal is pending (an interrupted write); it would be finished"
             : p.log   ? fmt::format("the log holds {} pending entries; they would be replayed", p.entries)
                       : "clean: nothing to replay";
      j["pending"] = p.journal || p.log;
      j["replayed_entries"] = 0;
    } else {
      const ReplayResult r = replay_pending(path);
      what = r.journal_discarded   ? "an incomplete journal was removed; the file was never changed by it"
             : !r.was_pending      ? "clean: nothing to replay, nothing written"
             : p.journal           ? fmt::format("finished the interrupted write ({} records)", r.entries_replayed)
                                   : fmt::format("replayed {} log entries; the log is empty", r.entries_replayed);
      j["pending"] = r.was_pending;
      j["replayed_entries"] = r.entries_replayed;
    }
    j["result"] = what;
    results.push_back(j);
    if (!o.json) std::cout << fmt::format("{}: {}\n", path, what);
  }
  if (o.json) std::cout << results.dump(2) << "\n";
  return kExitOk;
}

}  // namespace vhdchain::cli
