// --volumes FILE: a Windows host's volumes and mount points, as `mountvol` prints them or as
// `Get-CimInstance Win32_Volume | Select DeviceID,Name | ConvertTo-Json` writes them.
#pragma once

#include <string>

#include "vhdchain/hostpath.h"

namespace vhdchain::cli {

// Reads and parses the file; the format is recognised by content (JSON starts with '[' or '{').
// UTF-16 (PowerShell 5.1's `>`) and BOMs are handled. Throws Error(invalid_argument) naming the file.
hostpath::WindowsVolumeSet load_volumes_file(const std::string& path);

}  // namespace vhdchain::cli
