// Opens one disk image through the installed library's public headers and prints what it is:
// "<format> <type> <virtual size>", e.g. "vhdx dynamic 67108864". Errors: the library's message,
// exit 2.
#include <cstdio>
#include <string>

#include "vhdchain/disk_image.h"
#include "vhdchain/error.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: vhdchain_consumer IMAGE\n");
    return 3;
  }
  try {
    const auto image = vhdchain::open_image_file(argv[1]);
    const vhdchain::ImageInfo& info = image->info();
    std::printf("%s %s %llu\n", std::string(vhdchain::to_string(info.format)).c_str(),
                std::string(vhdchain::to_string(info.type)).c_str(),
                static_cast<unsigned long long>(info.virtual_size));
    return 0;
  } catch (const vhdchain::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}
