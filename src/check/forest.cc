// Building the forest: open every scanned disk, resolve every differencing disk's parent, link them.
//
// Each file is opened once, whatever path reaches it: opens are cached by path, and disks are keyed
// by file identity, so a parent found through a locator is the same Disk as the scanned file it is
// (possibly through another mount point; aliases.cc reports that). A parent outside the scanned
// folders is opened and resolved in turn, so a chain is followed to its base wherever it lives.
//
// Paths written on Windows rarely match a Linux copy's case, so a candidate that is not found is
// looked up again ignoring case as NTFS would; locators reached that way, or ambiguous, are reported.
#include <algorithm>
#include <exception>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "chain/stored_path.h"
#include "check/check_internal.h"
#include "io/fs_ops.h"
#include "vhdchain/error.h"
#include "vhdchain/hostpath.h"
#include "vhdchain/write.h"

namespace vhdchain::check::detail {
namespace {

std::string_view identity_label(const DiskImage& image) {
  return image.info().format == DiskFormat::vhdx ? "DataWriteGuid" : "unique id";
}

class ForestBuilder {
 public:
  ForestBuilder(const Options& options, Report& report) : options_(options), report_(report) {
    chain_options_.opener = [this](const std::string& path) { return open_cached(path); };
    chain_options_.map_windows_path = [this](std::string_view stored) { return map_windows(stored); };
    chain_options_.probe_all_locators = true;
  }

  void run(const std::vector<std::string>& files) {
    open_in_parallel(files);
    for (const std::string& f : files) add_scanned(f);
    for (size_t i = 0; i < report_.disks.size(); ++i) resolve(i);  // grows as parents are found
  }

 private:
  struct Cached {
    OpenedImage opened;
    std::exception_ptr error;
  };

  // Opening is most of check's time (headers, region tables and metadata of every file), and files
  // are independent: open them on every core, into the cache. What follows is sequential and finds
  // them there. BATs are not read here: the images are kept, and what needs a map reads it through
  // an image of its own (maps.cc).
  void open_in_parallel(const std::vector<std::string>& files) {
    const size_t workers = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), 8);
    if (workers < 2 || files.size() < 2 * workers) return;
    std::vector<Cached> results(files.size());
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next++) < files.size();) results[i] = open_uncached(files[i]);
    };
    std::vector<std::thread> pool;
    for (size_t w = 0; w < workers; ++w) pool.emplace_back(work);
    for (std::thread& t : pool) t.join();
    for (size_t i = 0; i < files.size(); ++i) cache_.emplace(files[i], std::move(results[i]));
  }

  // The opener the resolver uses: cached, with the NTFS-style case fallback.
  OpenedImage open_cached(const std::string& path) {
    auto it = cache_.find(path);
    if (it == cache_.end()) it = cache_.emplace(path, open_uncached(path)).first;
    if (it->second.error) std::rethrow_exception(it->second.error);
    return it->second.opened;
  }

  Cached open_uncached(const std::string& path) {
    const ImageOpener& opener = options_.opener ? options_.opener : ImageOpener(open_host_image);
    try {
      return Cached{opener(path), nullptr};
    } catch (const IoError& e) {
      if (classify_access_error(e.errno_value()) == AccessStatus::not_found && !path.empty() && path[0] == '/') {
        std::vector<std::string> components = hostpath::host_path_components(path);
        hostpath::CaseLookup lookup = hostpath::lookup_case_insensitive("/", components);
        if (lookup.status == hostpath::LookupStatus::case_differs || lookup.status == hostpath::LookupStatus::ambiguous) {
          std::lock_guard<std::mutex> lock(case_mutex_);
          case_lookups_[path] = lookup;
        }
        if (lookup.status == hostpath::LookupStatus::case_differs) {
          try {
            return Cached{opener(lookup.path), nullptr};
          } catch (...) {
            return Cached{{}, std::current_exception()};
          }
        }
      }
      return Cached{{}, std::current_exception()};
    } catch (...) {
      return Cached{{}, std::current_exception()};
    }
  }

  std::optional<std::string> map_windows(std::string_view stored) {
    if (options_.map_windows_path) return options_.map_windows_path(stored);
    std::optional<hostpath::WinPath> path = hostpath::try_parse_windows_path(stored);
    if (!path || !path->is_absolute()) return std::nullopt;
    const hostpath::WindowsVolumeSet* volumes = options_.volumes ? &*options_.volumes : nullptr;
    hostpath::HostResolution r = hostpath::resolve_on_host(*path, options_.map, volumes);
#ifdef _WIN32
    // On Windows a stored C:\, share or volume path names a file of this very host (unless --map
    // says where that host's files are): try it as written.
    if (!r.mapped) return std::string(stored);
#endif
    if (!r.mapped) return std::nullopt;
    std::string host = r.host_path();
    if (r.lookup.status == hostpath::LookupStatus::case_differs || r.lookup.status == hostpath::LookupStatus::ambiguous)
      case_lookups_[host] = r.lookup;
    return host;
  }

  // The disk a path names, by identity: an existing Disk (its other_paths gains the path) or a new one.
  size_t disk_for(const OpenedImage& opened, const std::string& path, bool scanned) {
    auto [it, inserted] = by_key_.try_emplace(opened.key, report_.disks.size());
    if (!inserted) {
      Disk& d = report_.disks[it->second];
      if (d.path != path && std::find(d.other_paths.begin(), d.other_paths.end(), path) == d.other_paths.end())
        d.other_paths.push_back(path);
      d.scanned = d.scanned || scanned;
      if (scanned && std::find(d.scanned_as.begin(), d.scanned_as.end(), path) == d.scanned_as.end())
        d.scanned_as.push_back(path);
      return it->second;
    }
    Disk d;
    d.path = path;
    d.scanned = scanned;
    if (scanned) d.scanned_as.push_back(path);
    d.key = opened.key;
    d.image = opened.image;
    report_.disks.push_back(std::move(d));
    disk_findings(report_.disks.size() - 1);
    return report_.disks.size() - 1;
  }

  void add_scanned(const std::string& path) {
    try {
      disk_for(open_cached(path), path, true);
    } catch (const Error& e) {
      if (dynamic_cast<const FormatError*>(&e) && is_stray_file(path)) return add_stray(path);
      Disk d;
      d.path = path;
      d.scanned = true;
      d.error = e.what();
      d.error_code = e.code();
      report_.disks.push_back(std::move(d));
      size_t index = report_.disks.size() - 1;
      std::string_view code = dynamic_cast<const IoError*>(&e)     ? "disk.unreadable"
                              : e.code() == ErrorCode::unsupported ? "disk.unsupported"
                                                                   : "disk.corrupt";
      report_.findings.push_back(make_finding(code, e.what(), {path}, {index}));
      interrupted_write_finding(index);
    }
  }

  void add_stray(const std::string& path) {
    report_.strays.push_back(path);
    report_.findings.push_back(make_finding(
        "input.stray_file",
        fmt::format("{}: named like a disk but empty or without a VHD/VHDX signature; not counted as a disk", path),
        {path}));
  }

  // A vhdchain write to a VHD (which has no log) that was stopped leaves its journal beside it;
  // until the journal is finished the file may hold part of the change.
  void interrupted_write_finding(size_t index) {
    const Disk& d = report_.disks[index];
    const std::string journal = vhd_journal_path(d.path);
    if (!io::path_exists(journal)) return;
    report_.findings.push_back(make_finding(
        "write.interrupted",
        fmt::format("{}: a vhdchain write was interrupted and left its journal {}; the file may hold part of the "
                    "change. Finish it with: vhdchain repair --replay-log {}",
                    d.path, journal, d.path),
        {d.path, journal}, {index}));
  }

  // What one opened disk says about itself: a pending log, the reader's notes.
  void disk_findings(size_t index) {
    const Disk& d = report_.disks[index];
    const ImageInfo& info = d.image->info();
    if (info.log.pending)
      report_.findings.push_back(make_finding(
          "log.pending",
          fmt::format("{}: the VHDX log holds {} pending entr{} (sequence {}..{}); checked as replayed in memory, the "
                      "file was not changed. Hyper-V replays it on the next open; tools that ignore the log "
                      "(copies, older readers) see stale metadata",
                      d.path, info.log.entry_count, info.log.entry_count == 1 ? "y" : "ies", info.log.first_sequence,
                      info.log.last_sequence),
          {d.path}, {index}));
    interrupted_write_finding(index);
    for (const Note& note : info.notes) {
      if (note.code == "vhdx.log_replayed") continue;  // log.pending above says it
      report_.findings.push_back(
          make_finding("disk.note", fmt::format("{}: {} ({})", d.path, note.message, note.code), {d.path}, {index}));
    }
  }

  void resolve(size_t index) {
    if (!report_.disks[index].image || !report_.disks[index].image->info().parent) return;
    std::vector<ChainLayer> layer(1);
    layer[0].path = report_.disks[index].path;
    layer[0].image = report_.disks[index].image;
    layer[0].key = report_.disks[index].key;
    ResolvedParent r = resolve_parent(layer, chain_options_);
    report_.disks[index].resolution = r.resolution;
    if (const ParentCandidate* accepted = r.resolution.accepted_candidate()) {
      size_t parent = disk_for(r.parent, accepted->path, false);
      Disk& child = report_.disks[index];  // disk_for may have grown the vector
      child.parent = parent;
      child.parent_path = accepted->path;
      report_.disks[parent].children.push_back(index);
      linked_findings(index);
    } else {
      unresolved_findings(index);
    }
    case_findings(index);
  }

  std::vector<std::string> tried_paths(const Disk& d) const {
    std::vector<std::string> paths{d.path};
    for (const ParentCandidate& c : d.resolution.candidates)
      if (!c.path.empty() && c.outcome != CandidateOutcome::not_tried) paths.push_back(c.path);
    return paths;
  }

  // No candidate was accepted: the most telling outcome decides the code, the message lists them all.
  void unresolved_findings(size_t index) {
    const Disk& d = report_.disks[index];
    const ParentResolution& r = d.resolution;
    std::string_view code = "parent.missing";
    if (r.any(CandidateOutcome::identity_mismatch)) code = "parent.id_mismatch";
    else if (r.any(CandidateOutcome::geometry_mismatch)) code = "parent.size_mismatch";
    else if (r.any(CandidateOutcome::loop)) code = "chain.cycle";
    else if (r.any(CandidateOutcome::format_error)) code = "parent.unusable";
    else if (r.any(CandidateOutcome::access_denied)) code = "parent.access_denied";
    // Another I/O error (a volume that is not mounted, EIO) leaves it parent.missing; the message names it.

    const ChainLayer layer{d.path, d.image, d.key, r};
    report_.findings.push_back(make_finding(code, parent_resolution_summary(layer), tried_paths(d), {index}));
  }

  // A parent was accepted: what the other locators say, and the VHD time stamp.
  void linked_findings(size_t index) {
    const Disk& d = report_.disks[index];
    const ParentCandidate& accepted = *d.resolution.accepted_candidate();
    const Disk& parent = report_.disks[*d.parent];
    if (accepted.beside_child) {
      report_.findings.push_back(make_finding(
          "locator.beside_child_only",
          fmt::format("{}: no stored parent locator leads to the parent; it was found only by file name beside the child "
                      "at {}. Hyper-V will not find it: repair the locators",
                      d.path, accepted.path),
          {d.path, accepted.path}, {index, *d.parent}));
    }
    for (const ParentCandidate& c : d.resolution.candidates) {
      if (&c == &accepted || c.beside_child || c.path.empty()) continue;
      // Found only beside the child: every stored locator failed, which locator.beside_child_only says.
      if (accepted.beside_child && c.outcome == CandidateOutcome::not_found) continue;
      switch (c.outcome) {
        case CandidateOutcome::not_found:
          report_.findings.push_back(make_finding(
              "locator.not_found",
              fmt::format("{}: locator {} \"{}\" names {}, which does not exist (the parent is {})", d.path, c.locator,
                          c.stored, c.path, accepted.path),
              {d.path, c.path}, {index}));
          break;
        case CandidateOutcome::identity_mismatch:
        case CandidateOutcome::geometry_mismatch:
        case CandidateOutcome::format_error:
          report_.findings.push_back(make_finding(
              "locator.wrong_disk",
              fmt::format("{}: locator {} \"{}\" names {}, which is not the parent ({}); the parent is {}", d.path,
                          c.locator, c.stored, c.path, c.detail, accepted.path),
              {d.path, c.path}, {index}));
          break;
        case CandidateOutcome::ok:
          if (open_cached(c.path).key != parent.key)
            report_.findings.push_back(make_finding(
                "locator.disagree",
                fmt::format("{}: locators {} and {} name two different files with the parent's {} ({} and {}); "
                            "one is a copy",
                            d.path, accepted.locator, c.locator, identity_label(*parent.image), accepted.path, c.path),
                {d.path, accepted.path, c.path}, {index}));
          break;
        default:
          break;
      }
    }
    const ImageInfo& ci = d.image->info();
    const ImageInfo& pi = parent.image->info();
    if (ci.format == DiskFormat::vhd && ci.parent->timestamp && *ci.parent->timestamp != 0 && pi.timestamp &&
        *ci.parent->timestamp != *pi.timestamp)
      report_.findings.push_back(make_finding(
          "parent.timestamp_differs",
          fmt::format("{}: the parent time stamp stored in the child is {}, the parent's is {} (identity matches; "
                      "Hyper-V itself writes 0 here)",
                      d.path, *ci.parent->timestamp, *pi.timestamp),
          {d.path, accepted.path}, {index, *d.parent}));
  }

  void case_findings(size_t index) {
    const Disk& d = report_.disks[index];
    for (const ParentCandidate& c : d.resolution.candidates) {
      if (c.path.empty() || c.beside_child) continue;
      auto it = case_lookups_.find(c.path);
      if (it == case_lookups_.end()) continue;
      const hostpath::CaseLookup& lookup = it->second;
      if (lookup.status == hostpath::LookupStatus::case_differs) {
        report_.findings.push_back(make_finding(
            "locator.case_differs",
            fmt::format("{}: locator {} \"{}\" matches {} only ignoring case (as NTFS compares names)", d.path,
                        c.locator, c.stored, lookup.path),
            {d.path, lookup.path}, {index}));
      } else {
        std::string list;
        for (const std::string& m : lookup.candidates) list += (list.empty() ? "" : ", ") + m;
        std::vector<std::string> paths{d.path};
        paths.insert(paths.end(), lookup.candidates.begin(), lookup.candidates.end());
        report_.findings.push_back(make_finding(
            "locator.case_ambiguous",
            fmt::format("{}: locator {} \"{}\" matches several files ignoring case: {}; NTFS would hold only one",
                        d.path, c.locator, c.stored, list),
            std::move(paths), {index}));
      }
    }
  }

  const Options& options_;
  Report& report_;
  ChainOptions chain_options_;
  std::map<std::string, Cached> cache_;
  std::map<FileIdentity, size_t> by_key_;
  std::map<std::string, hostpath::CaseLookup> case_lookups_;
  std::mutex case_mutex_;  // open_uncached runs on several threads in open_in_parallel
};

}  // namespace

void build_forest(const std::vector<std::string>& files, const Options& options, Report& report) {
  ForestBuilder(options, report).run(files);
}

}  // namespace vhdchain::check::detail
