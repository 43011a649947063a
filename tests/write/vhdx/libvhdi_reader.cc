#include "write/vhdx/libvhdi_reader.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace vhdchain::test {
namespace {

constexpr const char* kScript = R"(
import hashlib, sys
try:
    import pyvhdi
except ImportError:
    print("missing"); sys.exit(0)
try:
    handles = []
    for path in sys.argv[1:]:
        h = pyvhdi.file()
        h.open(path)
        if handles:
            h.set_parent(handles[-1])
        handles.append(h)
    top = handles[-1]
    size = top.get_media_size()
    digest = hashlib.sha256()
    offset = 0
    while offset < size:
        n = min(1 << 20, size - offset)
        digest.update(top.read_buffer_at_offset(n, offset))
        offset += n
    print(digest.hexdigest())
except Exception as e:
    print("error: " + str(e).replace("\n", " "))
)";

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

bool independent_readers_required() {
  const char* ci = std::getenv("CI");
  const char* shared = std::getenv("VHDCHAIN_REQUIRE_SHARED");
  return (ci && std::string(ci) == "true") || (shared && std::string(shared) == "1");
}

std::optional<std::string> libvhdi_sha256(const std::vector<std::string>& chain) {
  if (std::system("test -x /usr/bin/python3") != 0) return std::nullopt;
  std::string command = "/usr/bin/python3 -c " + quote(kScript);
  for (const std::string& p : chain) command += " " + quote(p);
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (out == "missing") return std::nullopt;
  return out;
}

}  // namespace vhdchain::test
