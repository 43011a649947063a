#include "vhd_test_support.h"

#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>

#include <fmt/format.h>

#include "support/sha256.h"
#include "vhdchain/chain.h"
#include "vhdchain/check.h"

namespace vhdchain::test {

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool have_program(const std::string& program) {
  return run_command("command -v " + program + " >/dev/null").exit_code == 0;
}

bool have_pyvhdi() { return run_command("/usr/bin/python3 -c 'import pyvhdi'").exit_code == 0; }

bool tools_required() {
  const char* shared = std::getenv("VHDCHAIN_REQUIRE_SHARED");
  const char* ci = std::getenv("CI");
  return (shared && std::string(shared) == "1") || (ci && std::string(ci) == "true");
}

std::string libvhdi_sha256(const std::string& leaf, const std::vector<std::string>& parents, std::string& error) {
  // Base first, each next file attached to the one before, as libvhdi's own tools do.
  std::string files = "[";
  for (auto it = parents.rbegin(); it != parents.rend(); ++it) files += "'" + *it + "',";
  files += "'" + leaf + "']";
  const std::string script =
      "import hashlib, pyvhdi\n"
      "handles = []\n"
      "for path in " + files + ":\n"
      "    h = pyvhdi.file()\n"
      "    h.open(path)\n"
      "    if handles: h.set_parent(handles[-1])\n"
      "    handles.append(h)\n"
      "top = handles[-1]\n"
      "size = top.get_media_size()\n"
      "digest = hashlib.sha256()\n"
      "offset = 0\n"
      "while offset < size:\n"
      "    n = min(1 << 20, size - offset)\n"
      "    digest.update(top.read_buffer_at_offset(n, offset))\n"
      "    offset += n\n"
      "print(digest.hexdigest())\n";
  const std::string script_path = leaf + ".libvhdi.py";
  {
    std::ofstream out(script_path);
    out << script;
  }
  CommandResult r = run_command("/usr/bin/python3 '" + script_path + "'");
  std::filesystem::remove(script_path);
  if (r.exit_code != 0 || r.output.size() < 64) {
    error = r.output;
    return {};
  }
  return r.output.substr(0, 64);
}

std::string chain_sha256(const std::string& leaf) {
  const Chain chain = open_chain(leaf);
  auto reader = chain.reader();
  Sha256 digest;
  std::vector<uint8_t> buf(1 << 20);
  for (uint64_t offset = 0; offset < reader->size(); offset += buf.size()) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), reader->size() - offset));
    reader->read_at(offset, std::span<uint8_t>(buf.data(), n));
    digest.update(std::span<const uint8_t>(buf.data(), n));
  }
  return digest.finish_hex();
}

std::vector<std::string> deep_check_findings(const std::filesystem::path& dir) {
  check::Options options;
  options.deep = true;
  const std::vector<std::string> inputs = {dir.string()};
  std::vector<std::string> out;
  for (const check::Finding& f : check::run_check(inputs, options).findings)
    out.push_back(std::string(check::to_string(f.severity)) + " " + f.code + ": " + f.message);
  return out;
}

std::string chs_note_finding(const std::filesystem::path& disk) {
  return "info disk.note: " + disk.string() + ": footer @0x" +
         fmt::format("{:x}", std::filesystem::file_size(disk) - 512) +
         ": disk geometry 240/4/17 gives 8355840 bytes but current size is 8388608 bytes; the virtual size is the "
         "current size (vhd.chs_size_differs)";
}

}  // namespace vhdchain::test
