// The File implementations' side of set_io_event_hook (file.h).
#pragma once

#include <string>

#include "vhdchain/file.h"

namespace vhdchain::io {

// Calls the installed hook, if any. Called after the operation has completed.
void notify_io_event(IoEvent event, const std::string& path);

}  // namespace vhdchain::io
