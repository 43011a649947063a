#include "cli/cli_runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <gtest/gtest.h>

namespace vhdchain::test {
namespace {

std::string slurp(int fd) {
  std::string text;
  ::lseek(fd, 0, SEEK_SET);
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, size_t(n));
  return text;
}

int temp_fd() {
  char name[] = "/tmp/vhdchain-cli-XXXXXX";
  int fd = ::mkstemp(name);
  if (fd < 0) std::abort();
  ::unlink(name);
  return fd;
}

}  // namespace

CliRun run_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv_text{VHDCHAIN_CLI_PATH};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  int out = temp_fd(), err = temp_fd();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::setenv("NO_COLOR", "1", 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CliRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = slurp(out);
  run.err = slurp(err);
  ::close(out);
  ::close(err);
  return run;
}

std::vector<std::string> finding_codes(const nlohmann::json& doc) {
  std::vector<std::string> codes;
  for (const nlohmann::json& f : doc.at("findings")) codes.push_back(f.at("code").get<std::string>());
  return codes;
}

nlohmann::json only_finding(const nlohmann::json& doc, const std::string& code) {
  std::vector<nlohmann::json> found;
  for (const nlohmann::json& f : doc.at("findings"))
    if (f.at("code") == code) found.push_back(f);
  EXPECT_EQ(found.size(), 1u) << "findings with code " << code << " in " << doc.at("findings").dump(2);
  return found.size() == 1 ? found.front() : nlohmann::json::object();
}

nlohmann::json disk_entry(const nlohmann::json& doc, const std::string& path) {
  for (const nlohmann::json& d : doc.at("disks"))
    if (d.at("path") == path) return d;
  return nullptr;
}

}  // namespace vhdchain::test
