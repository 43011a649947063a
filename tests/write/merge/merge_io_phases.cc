#include "write/merge/merge_io_phases.h"

#include <map>
#include <stdexcept>

namespace vhdchain::test {
namespace {

struct Event {
  std::string kind, path;
};

Event parse(const std::string& line) {
  const size_t space = line.find(' ');
  if (space == std::string::npos) throw std::runtime_error("not an I/O event line: " + line);
  return {line.substr(0, space), line.substr(space + 1)};
}

// Walks the events with the state check sees after a kill at each point.
class Classifier {
 public:
  Classifier(const std::vector<std::string>& lines, std::string target, std::string above, size_t kept_sources)
      : target_(std::move(target)), above_(std::move(above)), kept_sources_(kept_sources) {
    for (const std::string& line : lines) events_.push_back(parse(line));
  }

  std::vector<MergeIoEvent> run() {
    // Step 1: one commit on the disk above the target, its first change in this run.
    commit(above_, MergePhase::accept_new_identity, true);
    // Step 2: the target's session starts (two header writes), then the header takes G.
    header_pair(target_, MergePhase::target_identity);
    header_pair(target_, MergePhase::target_identity);
    expect(target_, "write", MergePhase::target_identity);
    target_has_new_identity_ = true;
    emit_last();
    expect(target_, "flush", MergePhase::target_identity);
    // Step 3: batches of payload (writes and resizes ended by a flush), each followed by the log
    // commit that makes it reachable; a batch whose blocks need no BAT or bitmap change has no commit.
    while (at_ < events_.size() && events_[at_].path == target_) {
      while (at_ < events_.size() && events_[at_].path == target_ && events_[at_].kind != "flush")
        take(MergePhase::payload);
      if (at_ == events_.size() || events_[at_].path != target_) break;
      take(MergePhase::payload);  // the flush that makes the batch durable
      // The log commit that makes the batch reachable; none after the flush of the last payload
      // (the target's events end there and the chain is re-pointed).
      if (at_ < events_.size() && events_[at_].path == target_)
        commit(target_, MergePhase::log, false);
    }
    // Steps 4 and 5: children of CHILD, then the disk above the target, each one commit.
    std::map<std::string, bool> started;
    const std::string record = target_ + ".vhdchain-merged";
    // Its temporary files are ".NAME.vhdchain-merged.next.vhdchain-partial", then "NAME...next".
    const std::string record_name = record.substr(record.find_last_of('/') + 1);
    while (at_ < events_.size() && events_[at_].path.find(record_name) == std::string::npos) {
      const std::string path = events_[at_].path;
      commit(path, MergePhase::relink, !started[path]);
      started[path] = true;
    }
    // The record of the kept sources (src/merge/merge_record.cc): written under a temporary name,
    // flushed, renamed to RECORD.next, then over RECORD; check sees it from that last rename.
    while (at_ < events_.size()) {
      if (events_[at_].path.find(record_name) == std::string::npos) fail("expected an event of the record " + record);
      record_published_ = events_[at_].kind == "rename" && events_[at_].path == record;
      take(MergePhase::record);
      emit_last();
    }
    return out_;
  }

 private:
  void fail(const std::string& what) const {
    std::string list;
    for (size_t i = 0; i < events_.size(); ++i)
      list += "\n  " + std::to_string(i + 1) + (i == at_ ? " > " : "   ") + events_[i].kind + " " + events_[i].path;
    throw std::runtime_error("I/O event " + std::to_string(at_ + 1) + ": " + what + list);
  }

  void take(MergePhase phase) {
    if (at_ >= events_.size()) fail("the events end early");
    out_.push_back({events_[at_].kind, events_[at_].path, phase, {}});
    ++at_;
    emit_last();
  }

  void expect(const std::string& path, const std::string& kind, MergePhase phase) {
    if (at_ >= events_.size()) fail("the events end before the expected " + kind + " " + path);
    if (events_[at_].path != path || events_[at_].kind != kind) fail("expected " + kind + " " + path);
    take(phase);
  }

  void header_pair(const std::string& path, MergePhase phase) {
    expect(path, "write", phase);
    expect(path, "flush", phase);
  }

  // One change through a file's log (the session of this run starts first when `starts`).
  void commit(const std::string& path, MergePhase phase, bool starts) {
    if (starts) {
      header_pair(path, phase);
      header_pair(path, phase);
    }
    header_pair(path, phase);    // the entry
    expect(path, "write", phase);  // the header naming the log: pending from here
    pending_[path] = true;
    if (phase == MergePhase::relink && path == above_) above_links_new_identity_ = true;  // the replay shows it
    emit_last();
    expect(path, "flush", phase);
    while (at_ < events_.size() && events_[at_].path == path && events_[at_].kind != "flush") take(phase);
    expect(path, "flush", phase);
    expect(path, "write", phase);  // the header clearing the log
    pending_[path] = false;
    emit_last();
    expect(path, "flush", phase);
  }

  // The codes check reports when killed right after the last event taken.
  void emit_last() {
    if (out_.empty()) return;
    std::vector<std::string> codes;
    for (const auto& [path, pending] : pending_)
      if (pending) codes.push_back("log.pending");
    if (target_has_new_identity_ && !above_links_new_identity_) codes.push_back("merge.interrupted");
    if (record_published_) codes.insert(codes.end(), kept_sources_, "merge.kept_source");
    out_.back().codes_after_kill = codes;
  }

  std::vector<Event> events_;
  std::string target_, above_;
  size_t at_ = 0;
  std::vector<MergeIoEvent> out_;
  std::map<std::string, bool> pending_;
  bool target_has_new_identity_ = false;
  bool above_links_new_identity_ = false;
  size_t kept_sources_ = 0;
  bool record_published_ = false;
};

}  // namespace

const char* to_string(MergePhase phase) {
  switch (phase) {
    case MergePhase::accept_new_identity: return "accept_new_identity";
    case MergePhase::target_identity: return "target_identity";
    case MergePhase::payload: return "payload";
    case MergePhase::log: return "log";
    case MergePhase::relink: return "relink";
    case MergePhase::record: return "record";
  }
  return "?";
}

std::vector<MergeIoEvent> classify_merge_events(const std::vector<std::string>& events, const std::string& target,
                                                const std::string& above_target, size_t kept_sources) {
  return Classifier(events, target, above_target, kept_sources).run();
}

}  // namespace vhdchain::test
