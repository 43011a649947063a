#include "fault_hook.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#ifdef _WIN32
#include "io/win32.h"
#else
#include <unistd.h>
#endif

#include "vhdchain/file.h"

namespace vhdchain::cli {
namespace {

std::atomic<long long> g_remaining{0};
int g_signal_instead = 0;  // VHDCHAIN_FAULT_SIGNAL: raise this (handled) signal instead of dying
std::FILE* g_count_file = nullptr;

const char* event_name(IoEvent event) {
  switch (event) {
    case IoEvent::write: return "write";
    case IoEvent::flush: return "flush";
    case IoEvent::resize: return "resize";
    case IoEvent::rename: return "rename";
    case IoEvent::remove: return "remove";
  }
  return "?";
}

[[noreturn]] void die_now() {
#ifdef _WIN32
  ::TerminateProcess(::GetCurrentProcess(), 137);
#else
  ::raise(SIGKILL);
#endif
  std::_Exit(137);
}

void kill_after(IoEvent, const std::string&) {
  if (g_remaining.fetch_sub(1) != 1) return;
  if (g_signal_instead != 0)
    std::raise(g_signal_instead);
  else
    die_now();
}

int signal_named(const char* name) {
  const std::string n = name;
  if (n == "INT" || n == "SIGINT") return SIGINT;
  if (n == "TERM" || n == "SIGTERM") return SIGTERM;
  return 0;
}

void count_event(IoEvent event, const std::string& path) {
  std::fprintf(g_count_file, "%s %s\n", event_name(event), path.c_str());
  std::fflush(g_count_file);
}

}  // namespace

void install_fault_hook_from_environment() {
  if (const char* after = std::getenv("VHDCHAIN_FAULT_AFTER_IO")) {
    const long long n = std::atoll(after);
    if (n >= 1) {
      g_remaining = n;
      if (const char* sig = std::getenv("VHDCHAIN_FAULT_SIGNAL")) g_signal_instead = signal_named(sig);
      set_io_event_hook(&kill_after);
      return;
    }
  }
  if (const char* path = std::getenv("VHDCHAIN_FAULT_COUNT_FILE")) {
    g_count_file = std::fopen(path, "a");
    if (g_count_file) set_io_event_hook(&count_event);
  }
}

}  // namespace vhdchain::cli
