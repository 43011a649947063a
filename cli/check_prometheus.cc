// `check --format prometheus`: a node_exporter / windows_exporter textfile. UTF-8, '\n' line ends,
// the last line ends with '\n', no sample timestamps, metrics vhdchain_* in base units. Per-chain
// series carry the leaf path as a label: one series per VM disk keeps cardinality bounded; per
// finding at most kMaxFindingSeries series (docs/check.md, "Prometheus").
//
// One invalid label value makes node_exporter drop the whole file (issue 14: a folder name that is
// not UTF-8), so every value is valid UTF-8 whatever the path holds: a byte that is not part of a
// valid UTF-8 sequence, and a control byte other than newline, is written as the four characters
// \xHH (the backslash escaped as the format requires).
#include <fmt/format.h>

#include "check_output.h"

namespace vhdchain::cli {
namespace {

using check::Report;
using check::Severity;

// Length of the valid UTF-8 sequence at v[i] (RFC 3629: no overlongs, no surrogates, <= U+10FFFF), 0 if none.
size_t utf8_sequence(std::string_view v, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(v[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || i + n > v.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
  if (c == 0xED && b(i + 1) > 0x9F) return 0;  // surrogate
  if (c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
  if (c == 0xF4 && b(i + 1) > 0x8F) return 0;  // past U+10FFFF
  return n;
}

std::string label_value(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size();) {
    const char c = v[i];
    const size_t n = utf8_sequence(v, i);
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else if (n == 0 || static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      out += fmt::format("\\\\x{:02X}", static_cast<unsigned char>(c));
    else out.append(v.substr(i, n));
    i += n == 0 ? 1 : n;
  }
  return out;
}

int status_value(check::Status s) { return int(exit_code_for(s)); }

// A chain's verdict on vhdchain_check_status's scale (one scale for every status metric).
int chain_status(const check::Chain& c) {
  if (c.severity == Severity::critical) return 2;
  if (c.inconclusive) return 3;
  return c.severity == Severity::warning ? 1 : 0;
}

constexpr size_t kMaxFindingSeries = 500;

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
      {"vhdchain_chain_status", "Verdict for the chain (findings about its layers): 0 ok, 1 warning, 2 critical, 3 unknown",
       [](const check::Chain& c) -> std::optional<uint64_t> { return uint64_t(chain_status(c)); }},
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
    for (const check::Chain& c : report.chains) {
      const check::Disk& leaf = report.disks[c.layers.front()];
      if (std::optional<uint64_t> v = s.value(c))
        m.sample(s.name, fmt::format("leaf=\"{}\",volume=\"{}\"", label_value(leaf.path), leaf.key.volume_id), *v);
    }
  }

  struct VolumeSeries {
    const char* name;
    const char* help;
    std::optional<uint64_t> (*value)(const check::Volume&);
  };
  const VolumeSeries volume_series[] = {
      {"vhdchain_volume_file_bytes", "Sum of the sizes of the disks on the volume",
       [](const check::Volume& v) -> std::optional<uint64_t> { return v.file_bytes; }},
      {"vhdchain_volume_growth_bytes", "How much the writable disks on the volume can still grow",
       [](const check::Volume& v) -> std::optional<uint64_t> { return v.growth_bytes; }},
      {"vhdchain_volume_checkpoint_growth_bytes", "Of that, the checkpoints (differencing leaves)",
       [](const check::Volume& v) -> std::optional<uint64_t> { return v.checkpoint_growth_bytes; }},
      {"vhdchain_volume_free_bytes", "Free space of the volume", [](const check::Volume& v) { return v.free_bytes; }},
  };
  for (const VolumeSeries& s : volume_series) {
    m.family(s.name, s.help);
    for (const check::Volume& v : report.volumes)
      if (std::optional<uint64_t> value = s.value(v))
        m.sample(s.name, fmt::format("volume=\"{}\",path=\"{}\"", v.id, label_value(v.path)), *value);
  }

  m.family("vhdchain_finding", "One series per finding (the first 500): 1, labelled with its code, severity and the path "
                               "it is about");
  size_t listed = 0;
  for (const check::Finding& f : report.findings) {
    if (listed == kMaxFindingSeries) break;
    ++listed;
    m.sample("vhdchain_finding",
             fmt::format("code=\"{}\",severity=\"{}\",path=\"{}\",index=\"{}\"", f.code, to_string(f.severity),
                         label_value(f.paths.empty() ? std::string() : f.paths.front()), listed),
             1);
  }
  m.family("vhdchain_findings_unlisted", "Findings past the 500 that vhdchain_finding lists");
  m.sample("vhdchain_findings_unlisted", "", report.findings.size() - listed);
  return m.take();
}

}  // namespace vhdchain::cli
