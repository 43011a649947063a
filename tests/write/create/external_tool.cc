#include "write/create/external_tool.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vhdchain::test {
namespace {

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

// Through the shell with `exec env`, so the status popen reports is the program's own (a signal
// stays a signal) and stderr goes to a file read afterwards.
ToolRun run_tool(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  const std::filesystem::path err_file =
      std::filesystem::temp_directory_path() / ("vhdchain-tool-" + std::to_string(::getpid()) + ".err");
  std::string command = "exec env NO_COLOR=1";
  for (const std::string& v : env) command += " " + shell_quoted(v);
  for (const std::string& a : argv) command += " " + shell_quoted(a);
  command += " </dev/null 2>" + shell_quoted(err_file.string());

  ToolRun run;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) run.out.append(buf, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  std::ostringstream err;
  err << std::ifstream(err_file).rdbuf();
  run.err = err.str();
  std::filesystem::remove(err_file);
  return run;
}

bool tool_available(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

bool external_readers_required() {
  const char* require = std::getenv("VHDCHAIN_REQUIRE_SHARED");
  const char* ci = std::getenv("CI");
  return (require && std::strcmp(require, "1") == 0) || (ci && std::strcmp(ci, "true") == 0);
}

}  // namespace vhdchain::test
