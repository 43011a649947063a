// `check --format prometheus`: a node_exporter / windows_exporter textfile. UTF-8, '\n' line ends,
// the last line ends with '\n', no sample timestamps, metrics vhdchain_* in base units. Per-chain
// series carry the leaf path as a label: one series per VM disk keeps cardinality bounded.
#include <fmt/format.h>

#include "check_output.h"

namespace vhdchain::cli {
namespace {

using check::Report;
using check::Severity;

std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

int status_value(check::Status s) { return int(exit_code_for(s)); }

class Metrics {
 public:
  void family(std::string_view name, std::string_view help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
  }
  void sample(std::string_view name, std::string_view labels, uint64_t value) {
    out_ += labels.empty() ? fmt::format("{} {}\n", name, value) : fmt::format("{}{{{}}} {}\n", name, labels, value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string check_prometheus(const Report& report, int64_t now) {
  Metrics m;
  m.family("vhdchain_check_status", "Verdict of the last check: 0 ok, 1 warning, 2 critical, 3 unknown");
  m.sample("vhdchain_check_status", "", uint64_t(status_value(report.status)));
  m.family("vhdchain_last_run_timestamp_seconds", "When the check ran (seconds since the epoch)");
  m.sample("vhdchain_last_run_timestamp_seconds", "", uint64_t(now));
  m.family("vhdchain_disks", "Disk images found or reached as parents");
  m.sample("vhdchain_disks", "", report.disks.size());
  m.family("vhdchain_chains", "Chains (one per leaf disk)");
  m.sample("vhdchain_chains", "", report.chains.size());

  m.family("vhdchain_findings", "Findings by severity");
  for (Severity s : {Severity::critical, Severity::warning, Severity::info}) {
    uint64_t n = 0;
    for (const check::Finding& f : report.findings) n += f.severity == s ? 1 : 0;
    m.sample("vhdchain_findings", fmt::format("severity=\"{}\"", to_string(s)), n);
  }
  m.family("vhdchain_finding_codes", "Findings by code (every documented code, 0 when absent)");
  for (const check::FindingKind& k : check::finding_catalogue()) {
    uint64_t n = 0;
    for (const check::Finding& f : report.findings) n += f.code == k.code ? 1 : 0;
    m.sample("vhdchain_finding_codes", fmt::format("code=\"{}\",severity=\"{}\"", k.code, to_string(k.severity)), n);
  }

  struct Series {
    const char* name;
    const char* help;
    std::optional<uint64_t> (*value)(const check::Chain&);
  };
  const Series series[] = {
      {"vhdchain_chain_severity", "Worst finding about a layer of the chain: 0 ok, 1 info, 2 warning, 3 critical",
       [](const check::Chain& c) -> std::optional<uint64_t> { return uint64_t(c.severity); }},
      {"vhdchain_chain_complete", "1 when the chain reaches a base disk",
       [](const check::Chain& c) -> std::optional<uint64_t> { return c.complete ? 1 : 0; }},
      {"vhdchain_chain_layers", "Layers in the chain, leaf and base included",
       [](const check::Chain& c) -> std::optional<uint64_t> { return c.layers.size(); }},
      {"vhdchain_chain_file_bytes", "Sum of the chain's file sizes",
       [](const check::Chain& c) -> std::optional<uint64_t> { return c.capacity.file_bytes; }},
      {"vhdchain_chain_growth_bytes", "How much the chain's writable layer can still grow",
       [](const check::Chain& c) -> std::optional<uint64_t> { return c.capacity.growth_bytes; }},
      {"vhdchain_chain_merge_bytes", "New space a merge of the chain into its base needs",
       [](const check::Chain& c) -> std::optional<uint64_t> { return c.capacity.merge_bytes; }},
      {"vhdchain_chain_free_bytes", "Free space of the volume holding the leaf",
       [](const check::Chain& c) { return c.capacity.free_bytes; }},
  };
  for (const Series& s : series) {
    m.family(s.name, s.help);
    for (const check::Chain& c : report.chains)
      if (std::optional<uint64_t> v = s.value(c))
        m.sample(s.name, fmt::format("leaf=\"{}\"", label_value(report.disks[c.layers.front()].path)), *v);
  }
  return m.take();
}

}  // namespace vhdchain::cli
