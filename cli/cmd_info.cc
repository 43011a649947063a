// vhdchain info FILE... [--json]: what each file says about itself, read-only and one file at a time
// (parents are not opened: a differencing disk whose parent is missing still gets its full report).
#include <cstdio>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "console.h"
#include "exit_codes.h"
#include "info_report.h"
#include "vhdchain/file.h"

namespace vhdchain::cli {
namespace {

constexpr const char* kSchemaVersion = "1.0";

constexpr const char* kFooter = R"(Examples:
  vhdchain info disk.vhdx
  vhdchain info --json /vms/*.vhdx /vms/*.avhdx | jq '.images[] | {path, type, pending: .log.pending}'

Parents are not opened: each file is described on its own, a missing parent does not matter.
JSON schema: docs/info-json.md. Exit status: 0 all files read, 2 a file is structurally broken,
3 a file could not be read (2 wins when both happen).)";

struct InfoOptions {
  std::vector<std::string> files;
  bool json = false;
};

void print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

int run_info(const InfoOptions& options) {
  ExitCode status = kExitOk;
  nlohmann::ordered_json doc;
  doc["schema_version"] = kSchemaVersion;
  doc["images"] = nlohmann::ordered_json::array();
  bool first_text = true;
  for (const std::string& path : options.files) {
    spdlog::debug("reading {}", path);
    InfoReport report = gather_info(path);
    if (report.error) {
      report_error(report.error->message);
      status = worse(status, exit_code_for(report.error->code));
    }
    if (options.json) {
      doc["images"].push_back(info_json(report));
      continue;
    }
    std::string text = info_text(report);
    if (text.empty()) continue;
    if (!first_text) print("\n");
    print(text);
    std::fflush(stdout);  // one file at a time, so a slow file list shows progress
    first_text = false;
  }
  if (options.json) {
    // Paths come from argv and may not be UTF-8; replace rather than throw (nlohmann 3.11 dump()).
    print(doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  }
  return status;
}

}  // namespace

InfoReport gather_info(const std::string& path) {
  InfoReport report;
  report.path = path;
  try {
    std::shared_ptr<File> file = File::open(path, OpenMode::read_only);
    try {
      report.allocated_on_host = file->allocated_bytes();
    } catch (const IoError&) {
      // Only a size statistic: the image itself may still be perfectly readable.
    }
    report.image = open_image(file);
    report.blocks = report.image->block_stats();
  } catch (const Error& e) {
    report.error = InfoFailure{e.code(), e.what()};
  }
  return report;
}

Command add_info_command(CLI::App& app) {
  auto options = std::make_shared<InfoOptions>();
  CLI::App* sub = app.add_subcommand("info", "Show everything a VHDX/AVHDX/VHD file says about itself");
  sub->add_option("FILE", options->files, "Image files to describe (read-only)")->required()->type_name("");
  sub->add_flag("--json", options->json, "Write one JSON document (schema_version first) instead of text");
  sub->footer(kFooter);
  return {sub, [options] { return run_info(*options); }};
}

}  // namespace vhdchain::cli
