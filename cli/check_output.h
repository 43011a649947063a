// Rendering a check::Report: JSON (docs/check-json.md), a human tree, Prometheus textfile metrics.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "vhdchain/check.h"

namespace vhdchain::cli {

// The exit status for a verdict: ok 0, warning 1, critical 2, unknown 3.
ExitCode exit_code_for(check::Status status);

// "CRITICAL: 5 disks, 2 chains (1 incomplete); 1 critical, 2 warnings, 3 info": the first line of
// the human output, in the monitoring-plugin style.
std::string check_summary(const check::Report& report);

// The document (docs/check-json.md) as text, two-space indented, ending in a newline.
std::string check_json(const check::Report& report);
std::string check_text(const check::Report& report, bool colour);
// The monitoring-plugin output: status line with perfdata, then one line per finding (not if quiet).
std::string check_nagios(const check::Report& report, bool quiet);
// now: seconds since the epoch, for vhdchain_last_run_timestamp_seconds.
std::string check_prometheus(const check::Report& report, int64_t now);

}  // namespace vhdchain::cli
