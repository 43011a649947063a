// vhdchain::File on Windows: sharing (a reader beside a writer, a second writer refused as
// "locked"), positional I/O with holes, resize and flush, Win32 error numbers in IoError, and
// paths past MAX_PATH, with '/' and with non-ASCII names.
#include <gtest/gtest.h>

#include <vector>

#include "io/win32.h"
#include "unit/hostpath/win32_temp.h"
#include "vhdchain/error.h"
#include "vhdchain/file.h"

namespace vhdchain {
namespace {

using test::Win32TempDir;

std::vector<uint8_t> bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

int io_error_of(const std::string& path, OpenMode mode) {
  try {
    File::open(path, mode);
  } catch (const IoError& e) {
    return e.errno_value();
  }
  return -1;
}

TEST(FileWin32, WritesReadsResizesAndFlushes) {
  Win32TempDir t;
  const std::string path = t / "disk.bin";
  {
    auto f = File::open(path, OpenMode::create_new);
    EXPECT_EQ(f->size(), 0u);
    f->write_at(0, bytes("head"));
    f->write_at(1 << 20, bytes("tail"));  // past the end: the gap reads as zeros
    EXPECT_EQ(f->size(), (1u << 20) + 4);
    f->flush();
    std::vector<uint8_t> gap(16, 0xAA);
    f->read_at(4096, gap);
    EXPECT_EQ(gap, std::vector<uint8_t>(16, 0));
    f->resize(3 << 20);
    EXPECT_EQ(f->size(), 3u << 20);
    EXPECT_GT(f->allocated_bytes(), 0u);
  }
  auto r = File::open(path, OpenMode::read_only);
  EXPECT_EQ(r->size(), 3u << 20);
  std::vector<uint8_t> out(4);
  r->read_at(1 << 20, out);
  EXPECT_EQ(out, bytes("tail"));
  r->read_at(0, out);
  EXPECT_EQ(out, bytes("head"));
  EXPECT_EQ(r->mode(), OpenMode::read_only);
}

TEST(FileWin32, ReadPastTheEndIsAnArgumentError) {
  Win32TempDir t;
  test::win32_write(t / "small.bin", "12345678");
  auto f = File::open(t / "small.bin", OpenMode::read_only);
  std::vector<uint8_t> out(4);
  try {
    f->read_at(6, out);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(std::string(e.what()), t / "small.bin" + ": read of 4 bytes @0x6 is past the end of the file (0x8 bytes)");
  }
}

TEST(FileWin32, ReadersShareWithAWriterAndASecondWriterIsLocked) {
  Win32TempDir t;
  const std::string path = t / "in-use.vhdx";
  test::win32_write(path, "0123456789");
  auto reader = File::open(path, OpenMode::read_only);
  auto writer = File::open(path, OpenMode::read_write);  // a reader does not stop a writer
  auto another_reader = File::open(path, OpenMode::read_only);  // nor a writer a reader
  writer->write_at(0, bytes("AB"));
  std::vector<uint8_t> out(2);
  another_reader->read_at(0, out);  // the lock byte lies far beyond the data
  EXPECT_EQ(out, bytes("AB"));
  try {
    File::open(path, OpenMode::read_write);
    FAIL() << "second writer was let in";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::locked);
    EXPECT_EQ(std::string(e.what()), path + ": is locked by another process");
  }
  writer.reset();
  EXPECT_NO_THROW(File::open(path, OpenMode::read_write));  // closing released the lock
}

TEST(FileWin32, ErrorsCarryWin32Codes) {
  Win32TempDir t;
  test::win32_write(t / "exists.bin", "x");
  test::win32_mkdir(t / "folder");
  EXPECT_EQ(io_error_of(t / "missing.bin", OpenMode::read_only), ERROR_FILE_NOT_FOUND);
  EXPECT_EQ(io_error_of(t / "no-folder\\x.bin", OpenMode::read_only), ERROR_PATH_NOT_FOUND);
  EXPECT_EQ(io_error_of(t / "exists.bin", OpenMode::create_new), ERROR_FILE_EXISTS);
  EXPECT_EQ(io_error_of(t / "folder", OpenMode::read_only), 336);  // ERROR_DIRECTORY_NOT_SUPPORTED
  try {
    File::open(t / "missing.bin", OpenMode::read_only);
  } catch (const IoError& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_EQ(std::string(e.what()).rfind(t / "missing.bin: cannot open: ", 0), 0u) << e.what();
  }
}

TEST(FileWin32, LongSlashedAndNonAsciiPaths) {
  Win32TempDir t;
  // Nested past MAX_PATH (260): only reachable through \\?\, which to_win32_path adds.
  std::string dir = t.path();
  while (dir.size() < 300) {
    dir = test::win32_join(dir, std::string(40, 'd'));
    test::win32_mkdir(dir);
  }
  const std::string long_path = test::win32_join(dir, "Ünïcødé диск.vhdx");
  ASSERT_GT(win32::widen(long_path).size(), size_t{MAX_PATH});
  File::open(long_path, OpenMode::create_new)->write_at(0, bytes("deep"));
  std::vector<uint8_t> out(4);
  File::open(long_path, OpenMode::read_only)->read_at(0, out);
  EXPECT_EQ(out, bytes("deep"));

  // '/' as a separator, and the UTF-8 name stored as the same UTF-16 name.
  std::string slashed = t / "Ünïcødé.vhdx";
  for (char& c : slashed)
    if (c == '\\') c = '/';
  File::open(slashed, OpenMode::create_new);
  EXPECT_NE(::GetFileAttributesW((win32::widen(t.path()) + L"\\\u00dcn\u00efc\u00f8d\u00e9.vhdx").c_str()),
            INVALID_FILE_ATTRIBUTES);
}

TEST(FileWin32, PathConversion) {
  EXPECT_EQ(win32::to_win32_path("C:/vms/a.vhdx"), L"C:\\vms\\a.vhdx");
  EXPECT_EQ(win32::to_win32_path("rel\\a.vhdx"), L"rel\\a.vhdx");
  EXPECT_EQ(win32::to_win32_path("\\\\?\\C:\\x"), L"\\\\?\\C:\\x");
  const std::string long_unc = "\\\\server\\share\\" + std::string(300, 'x');
  EXPECT_EQ(win32::to_win32_path(long_unc), L"\\\\?\\UNC\\server\\share\\" + std::wstring(300, L'x'));
  const std::string long_drive = "C:\\a\\..\\" + std::string(300, 'y');
  EXPECT_EQ(win32::to_win32_path(long_drive), L"\\\\?\\C:\\" + std::wstring(300, L'y'));
  EXPECT_EQ(win32::without_long_prefix(L"\\\\?\\UNC\\srv\\share\\x"), L"\\\\srv\\share\\x");
  EXPECT_EQ(win32::without_long_prefix(L"\\\\?\\C:\\x"), L"C:\\x");
  EXPECT_EQ(win32::without_long_prefix(L"\\\\?\\Volume{0}\\x"), L"\\\\?\\Volume{0}\\x");
  EXPECT_EQ(win32::narrow(win32::widen("Ünïcødé диск €")), "Ünïcødé диск €");
}

}  // namespace
}  // namespace vhdchain
