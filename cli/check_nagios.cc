// `check --format nagios`: the monitoring-plugin output (Nagios, Icinga, Naemon, check_mk's
// local checks). The first line is the status and a summary, then `|` and performance data; the
// long output after it has one line per finding, worst first. With -q only the first line.
#include <algorithm>

#include <fmt/format.h>

#include "check_output.h"

namespace vhdchain::cli {
namespace {

using check::Severity;

// Nagios plugin guidelines: 'label'=value[UOM];warn;crit;min;max. Labels are ours, so no quoting.
std::string perf(std::string_view label, uint64_t value, std::string_view unit = "") {
  return fmt::format("{}={}{};;;0", label, value, unit);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

}  // namespace

std::string check_nagios(const check::Report& report, bool quiet) {
  auto count = [&](Severity s) {
    return uint64_t(std::count_if(report.findings.begin(), report.findings.end(),
                                  [&](const check::Finding& f) { return f.severity == s; }));
  };
  size_t incomplete = 0;
  for (const check::Chain& c : report.chains) incomplete += c.complete ? 0 : 1;
  std::vector<std::string> data = {perf("disks", report.disks.size()), perf("chains", report.chains.size()),
                                   perf("incomplete_chains", incomplete), perf("critical", count(Severity::critical)),
                                   perf("warning", count(Severity::warning)), perf("info", count(Severity::info)),
                                   perf("ignored", report.ignored)};
  for (const check::Volume& v : report.volumes) {
    data.push_back(perf(fmt::format("volume_{}_growth", v.id), v.growth_bytes, "B"));
    data.push_back(perf(fmt::format("volume_{}_checkpoint_growth", v.id), v.checkpoint_growth_bytes, "B"));
    if (v.free_bytes) data.push_back(perf(fmt::format("volume_{}_free", v.id), *v.free_bytes, "B"));
  }
  // check_summary() starts with the status word already; the plugin line names the service first.
  std::string out = fmt::format("VHDCHAIN {} | {}\n", check_summary(report), fmt::join(data, " "));
  if (quiet) return out;
  for (Severity s : {Severity::critical, Severity::warning, Severity::info, Severity::ok})
    for (const check::Finding& f : report.findings)
      if (f.severity == s) out += fmt::format("{} {}: {}\n", upper(to_string(s)), f.code, f.message);
  return out;
}

}  // namespace vhdchain::cli
