// Finding the disk files under the PATH arguments.
//
// Folders are searched recursively for the four extensions Hyper-V and Virtual PC use; a file named
// on the command line is taken whatever its name (a renamed copy is still a disk). Symlinked folders
// are followed; a folder already on the current descent (a symlink loop) is not entered again. Anything that cannot be listed
// is a finding, never a silent gap, because a nightly audit that skips a folder reports "ok" wrongly.
#include <algorithm>
#include <array>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "check/check_internal.h"
#include "vhdchain/file.h"

namespace vhdchain::check::detail {
namespace {

namespace fs = std::filesystem;

// Paths are UTF-8 strings in the library; std::filesystem on Windows would read a narrow string in
// the ANSI code page, so convert explicitly (a no-op on POSIX).
fs::path from_utf8(const std::string& s) { return fs::path(std::u8string(s.begin(), s.end())); }
std::string to_utf8(const fs::path& p) {
  const std::u8string u = p.u8string();
  return std::string(u.begin(), u.end());
}

class Scanner {
 public:
  ScanResult take() {
    std::sort(result_.files.begin(), result_.files.end());
    result_.files.erase(std::unique(result_.files.begin(), result_.files.end()), result_.files.end());
    return std::move(result_);
  }

  void input(const std::string& text) {
    std::error_code ec;
    fs::path path = from_utf8(text);
    fs::file_status st = fs::status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) return unreadable(text, ec);
    if (!fs::exists(st)) {
      result_.findings.push_back(make_finding("input.missing", fmt::format("{}: no such file or folder", text), {text}));
      return;
    }
    if (fs::is_directory(st)) return folder(path);
    if (fs::is_regular_file(st) || fs::is_block_file(st)) return add_file(path);
    result_.findings.push_back(
        make_finding("input.unreadable", fmt::format("{}: not a file or folder", text), {text}));
  }

 private:
  void folder(const fs::path& dir) {
    // Only a folder that contains itself (a symlink loop) is skipped: a second path to a folder, such
    // as a bind mount or a second mount of a volume, is searched again, so the alias is seen.
    FileIdentityResult id = file_identity(to_utf8(dir));
    if (id.ok() && !ancestors_.insert(id.identity).second) return;
    struct Leave {
      std::set<FileIdentity>& set;
      std::optional<FileIdentity> id;
      ~Leave() {
        if (id) set.erase(*id);
      }
    } leave{ancestors_, id.ok() ? std::optional(id.identity) : std::nullopt};
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) return unreadable(to_utf8(dir), ec);
    std::vector<fs::path> subfolders;
    for (; it != end; it.increment(ec)) {
      if (ec) return unreadable(to_utf8(dir), ec);
      const fs::directory_entry& e = *it;
      std::error_code sec;
      if (e.is_directory(sec)) {
        subfolders.push_back(e.path());
      } else if (has_disk_extension(to_utf8(e.path().filename()))) {
        // A dangling symlink named like a disk is kept: opening it fails, and that is reported.
        if (e.is_regular_file(sec) || (e.is_symlink(sec) && !e.exists(sec)))
          add_file(e.path());
      }
    }
    std::sort(subfolders.begin(), subfolders.end());
    for (const fs::path& sub : subfolders) folder(sub);
  }

  // Absolute and normalised (issue 14: findings must join with disks[] whatever the working
  // folder), with the path as given kept where it differs.
  void add_file(const fs::path& found) {
    std::error_code ec;
    const fs::path absolute = fs::absolute(found, ec);
    const std::string given = to_utf8(found.lexically_normal());
    const std::string path = ec ? given : to_utf8(absolute.lexically_normal());
    result_.files.push_back(path);
    if (path != given) result_.given_as.emplace(path, given);
  }

  void unreadable(const std::string& path, const std::error_code& ec) {
    result_.findings.push_back(make_finding("input.unreadable", fmt::format("{}: {}", path, ec.message()), {path}));
  }

  ScanResult result_;
  std::set<FileIdentity> ancestors_;  // folders on the current descent
};

}  // namespace

bool has_disk_extension(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string ext(name.substr(dot + 1));
  for (char& c : ext)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return ext == "vhd" || ext == "vhdx" || ext == "avhd" || ext == "avhdx";
}

bool is_stray_file(const std::string& path) {
  try {
    const std::shared_ptr<File> file = File::open(path, OpenMode::read_only);
    if (file->size() == 0) return true;
    if (detect_format(*file)) return false;
    // A VHDX whose file identifier was overwritten still has its headers' signatures: corrupt, not stray.
    for (uint64_t header : {uint64_t(64) << 10, uint64_t(128) << 10}) {
      std::array<uint8_t, 4> signature{};
      if (file->size() < header + signature.size()) continue;
      file->read_at(header, signature);
      if (std::equal(signature.begin(), signature.end(), "head")) return false;
    }
    return true;
  } catch (const Error&) {
    return false;  // unreadable: whoever opened it reports why
  }
}

ScanResult scan_inputs(std::span<const std::string> inputs) {
  Scanner scanner;
  for (const std::string& input : inputs) scanner.input(input);
  return scanner.take();
}

}  // namespace vhdchain::check::detail
