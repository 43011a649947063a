#include "write/vhdx/kill_sweep.h"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/testdata.h"

namespace vhdchain::test {

CountedRun run_counting_io(const std::vector<std::string>& args) {
  TempDir t;
  const std::string log = (t / "io-events").string();
  ::setenv("VHDCHAIN_FAULT_COUNT_FILE", log.c_str(), 1);
  CountedRun out;
  out.run = run_cli(args);
  ::unsetenv("VHDCHAIN_FAULT_COUNT_FILE");
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) out.events.push_back(line);
  return out;
}

CliRun run_killed_after(uint64_t n, const std::vector<std::string>& args) {
  ::setenv("VHDCHAIN_FAULT_AFTER_IO", std::to_string(n).c_str(), 1);
  CliRun run = run_cli(args);
  ::unsetenv("VHDCHAIN_FAULT_AFTER_IO");
  return run;
}

int run_killed_at(uint64_t delay_us, const std::vector<std::string>& args) {
  std::vector<std::string> all = {VHDCHAIN_CLI_PATH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::usleep(static_cast<useconds_t>(delay_us));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

uint64_t sweep_kills(const std::vector<std::string>& args, const std::function<void()>& restore,
                     const std::function<void(uint64_t n)>& verify, KillPoints points) {
  restore();
  const CountedRun counted = run_counting_io(args);
  EXPECT_EQ(counted.run.exit_code, 0) << counted.run.err;
  const uint64_t total = counted.events.size();
  for (uint64_t n = 1; n <= total; ++n) {
    if (points == KillPoints::all_but_flushes && n > 1 && counted.events[n - 1].rfind("flush ", 0) == 0) continue;
    restore();
    const CliRun run = run_killed_after(n, args);
    EXPECT_EQ(run.exit_code, -1) << "not killed after I/O " << n << ": " << run.err;
    verify(n);
  }
  return total;
}

}  // namespace vhdchain::test
