// `check` for people: a summary line, the forest as trees (base at the top, children below), the
// findings with what to do, and each chain's space. Colour only when allowed (console.h).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "check_output.h"
#include "human.h"

namespace vhdchain::cli {
namespace {

using check::Report;
using check::Severity;

const char* colour_of(Severity s) {
  switch (s) {
    case Severity::critical: return "\x1b[1;31m";
    case Severity::warning: return "\x1b[33m";
    case Severity::info: return "\x1b[36m";
    case Severity::ok: return "\x1b[32m";
  }
  return "";
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
  return out;
}

size_t count(const Report& r, Severity s) {
  return size_t(std::count_if(r.findings.begin(), r.findings.end(), [&](const check::Finding& f) { return f.severity == s; }));
}

class TextWriter {
 public:
  TextWriter(const Report& report, bool colour) : r_(report), colour_(colour) {
    worst_.assign(r_.disks.size(), Severity::ok);
    for (const check::Finding& f : r_.findings)
      for (size_t d : f.disks) worst_[d] = std::max(worst_[d], f.severity);
  }

  std::string render() {
    out_ = check_summary(r_) + "\n";
    forest();
    findings();
    capacity();
    return out_;
  }

 private:
  std::string paint(Severity s, std::string_view text) const {
    return colour_ ? fmt::format("{}{}\x1b[0m", colour_of(s), text) : std::string(text);
  }

  std::string describe(size_t index) const {
    const check::Disk& d = r_.disks[index];
    std::string line = printable(d.path);
    if (d.image) {
      const ImageInfo& info = d.image->info();
      line += fmt::format("  {} {}, {}", to_string(info.format), to_string(info.type), binary_size(info.virtual_size));
    } else {
      line += "  (not readable)";
    }
    if (!d.scanned) line += ", outside the scanned paths";
    if (worst_[index] >= Severity::warning) line += "  " + paint(worst_[index], "[" + upper(to_string(worst_[index])) + "]");
    return line;
  }

  void tree(size_t index, const std::string& prefix, bool last, bool top) {
    if (!drawn_.insert(index).second) return;
    out_ += top ? describe(index) + "\n" : prefix + (last ? "└── " : "├── ") + describe(index) + "\n";
    std::vector<size_t> kids = r_.disks[index].children;
    std::sort(kids.begin(), kids.end(), [&](size_t a, size_t b) { return r_.disks[a].path < r_.disks[b].path; });
    const std::string next = top ? "" : prefix + (last ? "    " : "│   ");
    for (size_t i = 0; i < kids.size(); ++i) tree(kids[i], next, i + 1 == kids.size(), false);
  }

  void forest() {
    if (r_.disks.empty()) {
      out_ += "\nNo disk images found.\n";
      return;
    }
    out_ += "\n";
    std::vector<size_t> roots;
    for (size_t i = 0; i < r_.disks.size(); ++i)
      if (!r_.disks[i].parent) roots.push_back(i);
    std::sort(roots.begin(), roots.end(), [&](size_t a, size_t b) { return r_.disks[a].path < r_.disks[b].path; });
    for (size_t root : roots) tree(root, "", true, true);
    for (size_t i = 0; i < r_.disks.size(); ++i)  // only disks in a cycle are left: no root reaches them
      if (!drawn_.count(i)) tree(i, "", true, true);
  }

  void findings() {
    if (r_.findings.empty()) return;
    out_ += "\nFindings:\n";
    for (Severity s : {Severity::critical, Severity::warning, Severity::info})
      for (const check::Finding& f : r_.findings) {
        if (f.severity != s) continue;
        std::string head = paint(s, upper(to_string(s))) + " " + f.code;
        if (f.inconclusive) head += " (inconclusive)";
        if (!f.hyperv_error.empty()) head += fmt::format("  [Hyper-V {} {}]", f.hyperv_error, f.hyperv_error_name);
        out_ += "  " + head + "\n    " + printable(f.message) + "\n";
      }
  }

  void capacity() {
    if (r_.chains.empty()) return;
    out_ += "\nChains (leaf: layers, size on disk, can still grow, a merge into the base needs, free):\n";
    for (const check::Chain& c : r_.chains) {
      const check::Capacity& cap = c.capacity;
      out_ += fmt::format("  {}: {} layer{}{}, {}, +{}, merge {}, {} free{}\n", printable(r_.disks[c.layers.front()].path),
                          c.layers.size(), c.layers.size() == 1 ? "" : "s", c.complete ? "" : " (incomplete)",
                          binary_size(cap.file_bytes), binary_size(cap.growth_bytes), binary_size(cap.merge_bytes),
                          cap.free_bytes ? binary_size(*cap.free_bytes) : std::string("unknown"),
                          cap.known ? "" : " (partial: a BAT could not be read)");
    }
  }

  const Report& r_;
  bool colour_;
  std::vector<Severity> worst_;
  std::set<size_t> drawn_;
  std::string out_;
};

}  // namespace

ExitCode exit_code_for(check::Status status) {
  switch (status) {
    case check::Status::ok: return kExitOk;
    case check::Status::warning: return kExitWarning;
    case check::Status::critical: return kExitCritical;
    case check::Status::unknown: return kExitUnknown;
  }
  return kExitUnknown;
}

std::string check_summary(const Report& report) {
  size_t incomplete = 0;
  for (const check::Chain& c : report.chains) incomplete += c.complete ? 0 : 1;
  const size_t crit = count(report, Severity::critical), warn = count(report, Severity::warning),
               info = count(report, Severity::info);
  return fmt::format("{}: {} disk{}, {} chain{}{}; {} critical, {} warning{}, {} info", upper(to_string(report.status)),
                     report.disks.size(), report.disks.size() == 1 ? "" : "s", report.chains.size(),
                     report.chains.size() == 1 ? "" : "s",
                     incomplete ? fmt::format(" ({} incomplete)", incomplete) : std::string(), crit, warn,
                     warn == 1 ? "" : "s", info);
}

std::string check_text(const Report& report, bool colour) { return TextWriter(report, colour).render(); }

}  // namespace vhdchain::cli
