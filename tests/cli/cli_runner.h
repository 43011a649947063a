// Running the built `vhdchain` binary from a test: exit status, stdout and stderr, JSON parsed.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vhdchain::test {

struct CliRun {
  int exit_code = -1;  // the process's exit status; -1 if it did not exit normally
  std::string out;
  std::string err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

// Runs the vhdchain binary with these arguments (no shell: paths need no quoting).
CliRun run_cli(const std::vector<std::string>& args);

// The codes of a check --json document's findings, in order.
std::vector<std::string> finding_codes(const nlohmann::json& doc);
// The only finding with this code (an empty object, and a test failure, if not exactly one).
nlohmann::json only_finding(const nlohmann::json& doc, const std::string& code);
// The disk entry with this path (null if none).
nlohmann::json disk_entry(const nlohmann::json& doc, const std::string& path);

}  // namespace vhdchain::test
