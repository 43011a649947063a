#include "write/vhdx/qemu_img_reader.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "support/sha256.h"
#include "support/testdata.h"

namespace vhdchain::test {
namespace {

constexpr const char* kQemuImg = "/usr/bin/qemu-img";

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string sha256_of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  Sha256 hash;
  std::vector<uint8_t> buffer(1 << 20);
  while (in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
    hash.update(std::span<const uint8_t>(buffer.data(), static_cast<size_t>(in.gcount())));
  return hash.finish_hex();
}

}  // namespace

std::optional<std::string> qemu_img_raw_sha256(const std::string& path) {
  if (::access(kQemuImg, X_OK) != 0) return std::nullopt;
  TempDir t;
  const std::filesystem::path raw = t / "qemu.raw";
  const std::filesystem::path err = t / "qemu.err";
  const std::string command = std::string(kQemuImg) + " convert -f vhdx -O raw " + quote(path) + " " +
                              quote(raw.string()) + " 2>" + quote(err.string());
  if (std::system(command.c_str()) != 0) {
    std::string text((std::istreambuf_iterator<char>(*std::make_unique<std::ifstream>(err))), {});
    return "error: " + text;
  }
  return sha256_of_file(raw);
}

}  // namespace vhdchain::test
