#include "io/io_event_hook.h"

#include <atomic>

namespace vhdchain {
namespace {
std::atomic<IoEventHook> g_hook{nullptr};
}

void set_io_event_hook(IoEventHook hook) { g_hook.store(hook); }

namespace io {
void notify_io_event(IoEvent event, const std::string& path) {
  if (IoEventHook hook = g_hook.load()) hook(event, path);
}
}  // namespace io

}  // namespace vhdchain
